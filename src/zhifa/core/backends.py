"""Authentication backend that loads, with the user, what every page needs: the memberships
with their organisations, in one hand-written query. On every request the ORM's query
compilation would cost more than the queries themselves (see bench/web.py)."""

from __future__ import annotations

from django.contrib.auth.backends import ModelBackend

from .permissions import load_user


class ZhifaBackend(ModelBackend):
    def get_user(self, user_id):
        user = load_user(user_id)
        if user is None or not self.user_can_authenticate(user):
            return None
        return user
