"""URLs for the evidence tests: the root URLconf does not include the evidence app yet."""

from django.urls import include, path

urlpatterns = [
    path("evidence/", include("zhifa.evidence.urls")),
    path("", include("zhifa.core.urls")),
]

handler404 = "zhifa.core.errors.not_found"
handler403 = "zhifa.core.errors.forbidden"
handler500 = "zhifa.core.errors.server_error"
