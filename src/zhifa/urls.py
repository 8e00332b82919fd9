from django.urls import include, path

from zhifa.api.api import api
from zhifa.core import views as core_views

urlpatterns = [
    path("healthz", core_views.healthz, name="healthz"),
    # Core first: the workspace home is the most requested page, and no core path shares a
    # prefix with another app's mount.
    path("", include("zhifa.core.urls")),
    path("ledger/", include("zhifa.ledger.urls")),
    path("evidence/", include("zhifa.evidence.urls")),
    path("laws/", include("zhifa.laws.urls")),
    path("registry/", include("zhifa.registry.urls")),
    path("powers/", include("zhifa.powers.urls")),
    path("cases/records/", include("zhifa.cases.urls_records")),
    path("cases/", include("zhifa.cases.urls")),
    path("review/", include("zhifa.review.urls")),
    path("publicity/", include("zhifa.publicity.urls_staff")),
    path("supervision/", include("zhifa.supervision.urls")),
    path("public/complaints/", include("zhifa.supervision.urls_public")),
    path("public/", include("zhifa.publicity.urls")),
    path("api/v1/", api.urls),
]

handler400 = "zhifa.core.errors.bad_request"
handler404 = "zhifa.core.errors.not_found"
handler403 = "zhifa.core.errors.forbidden"
handler500 = "zhifa.core.errors.server_error"
