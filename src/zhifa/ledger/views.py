"""The ledger status page: last verification, latest checkpoint, tree size, public keys."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from zhifa.core.permissions import require

from .keys import load_keys
from .models import VerificationRun
from .services import latest_checkpoint, tree_size


@login_required
@require_http_methods(["GET", "HEAD"])
def status(request: HttpRequest) -> HttpResponse:
    require(request.user, "ledger.view")
    keys = load_keys()
    return render(
        request,
        "ledger/status.html",
        {
            "size": tree_size(),
            "checkpoint": latest_checkpoint(),
            "run": VerificationRun.objects.order_by("-id").first(),
            "keys": keys,
            "ed25519_key": keys.ed25519_verifier.to_string(),
        },
    )
