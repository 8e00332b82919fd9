"""``{% load ledger %}{% ledger_timeline subject user %}``: the subject's ledger timeline."""

from __future__ import annotations

from django import template

from ..selectors import timeline

register = template.Library()


@register.inclusion_tag("ledger/_timeline.html")
def ledger_timeline(subject: str, user):
    return {"items": timeline(subject, user), "subject": subject}
