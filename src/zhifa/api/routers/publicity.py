"""行政执法公示 API (routes are added by the publicity app's work)."""

from ninja import Router

router = Router(tags=["行政执法公示"])
