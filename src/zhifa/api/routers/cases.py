"""执法办案 API (routes are added by the cases app's work)."""

from ninja import Router

router = Router(tags=["执法办案"])
