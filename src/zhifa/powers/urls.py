from django.urls import include, path

from . import views, views_discretion, views_edit

app_name = "powers"

urlpatterns = [
    path("", views.index, name="index"),
    path("bodies/<int:org_id>/lists/new/", views_edit.list_create, name="list_create"),
    path("lists/<int:pk>/", views.list_detail, name="list_detail"),
    path("lists/<int:pk>/matters/new/", views_edit.matter_create, name="matter_create"),
    path("lists/<int:pk>/publish/", views_edit.list_publish, name="list_publish"),
    path("lists/<int:pk>/new-draft/", views_edit.list_new_draft, name="list_new_draft"),
    path("matters/<int:pk>/", views.matter_detail, name="matter_detail"),
    path("matters/<int:pk>/edit/", views_edit.matter_edit, name="matter_edit"),
    path("discretion/", views.discretion, name="discretion"),
    path("discretion/<int:pk>/", views.benchmark_detail, name="benchmark_detail"),
    path("discretion/imports/", views.discretion_imports, name="discretion_imports"),
    path("discretion/<int:pk>/edit/", views_discretion.benchmark_edit, name="benchmark_edit"),
    path(
        "bodies/<int:org_id>/discretion/new/",
        views_discretion.benchmark_create,
        name="benchmark_create",
    ),
    path("no-penalty/", views.no_penalty, name="no_penalty"),
    path("no-penalty/<int:pk>/edit/", views_discretion.no_penalty_edit, name="no_penalty_edit"),
    path(
        "bodies/<int:org_id>/no-penalty/new/",
        views_discretion.no_penalty_create,
        name="no_penalty_create",
    ),
    path("", include("zhifa.powers.views_excel")),
]
