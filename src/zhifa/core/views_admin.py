"""Administration pages for the three administrators (filled in by the admin-pages work)."""

urlpatterns: list = []
