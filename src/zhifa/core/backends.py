"""Authentication backend that loads, with the user, what every page needs: the memberships
with their organisations. Hand-written SQL: on every request the ORM's query compilation
would cost more than the queries (see bench/web.py)."""

from __future__ import annotations

from django.contrib.auth.backends import ModelBackend

from .models import User
from .permissions import load_memberships


class ZhifaBackend(ModelBackend):
    def get_user(self, user_id):
        table = User._meta.db_table
        rows = list(
            User.objects.raw(f"SELECT * FROM {table} WHERE id = %s", [user_id])  # noqa: S608
        )
        if not rows or not self.user_can_authenticate(rows[0]):
            return None
        user = rows[0]
        memberships = load_memberships(user)
        # The home organisation is usually one the user holds a role in: reuse it.
        for m in memberships:
            if m.organization_id == user.organization_id:
                user._state.fields_cache["organization"] = m.organization
                break
        return user
