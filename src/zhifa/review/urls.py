from django.urls import path

from . import views

app_name = "review"

urlpatterns = [
    path("", views.index, name="index"),
    path("cases/<int:case_id>/", views.case_review, name="case"),
    path("cases/<int:case_id>/determine/", views.determine, name="determine"),
    path("cases/<int:case_id>/submit/", views.submit, name="submit"),
    path(
        "cases/<int:case_id>/require-deliberation/",
        views.require_deliberation,
        name="require_deliberation",
    ),
    path("cases/<int:case_id>/deliberation/", views.deliberation, name="deliberation"),
    path("requests/<int:pk>/", views.review_page, name="request"),
    path("requests/<int:pk>/assign/", views.assign, name="assign"),
    path("rounds/<int:pk>/", views.opinion_document, name="opinion_document"),
    path("rounds/<int:pk>/extend/", views.extend, name="extend"),
    path("catalogue/", views.catalogue_index, name="catalogue_index"),
    path("catalogue/<int:org_id>/", views.catalogue_detail, name="catalogue"),
    path("catalogue/<int:org_id>/edit/", views.catalogue_edit, name="catalogue_edit"),
    path("stats/", views.stats, name="stats"),
]
