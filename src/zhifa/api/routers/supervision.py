"""投诉举报与执法监督 API (routes are added by the supervision app's work)."""

from ninja import Router

router = Router(tags=["投诉举报与执法监督"])
