"""法制审核 API (routes are added by the review app's work)."""

from ninja import Router

router = Router(tags=["法制审核"])
