from django.urls import path

from . import views

app_name = "publicity"

urlpatterns = [
    path("", views.home, name="home"),
    path("search/", views.search, name="search"),
    path("p/<int:pk>/", views.publication, name="publication"),
    path("stats/", views.annual_stats, name="stats"),
    path("withdrawals/", views.withdrawals, name="withdrawals"),
    path("bodies/", views.bodies, name="bodies"),
    path("bodies/<int:org_id>/", views.body, name="body"),
    path("bodies/<int:org_id>/history/", views.body_history, name="body_history"),
    path("matters/<int:pk>/", views.matter, name="matter"),
    path("verify/<str:token>/", views.verify, name="verify"),
    path("verify/<str:token>/photo", views.verify_photo, name="verify_photo"),
    path("act/<str:token>/", views.act, name="act"),
    path("ledger/", views.ledger, name="ledger"),
    path("feed.atom", views.atom, name="atom"),
]
