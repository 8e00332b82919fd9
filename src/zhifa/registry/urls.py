from django.urls import include, path

from . import views

app_name = "registry"

urlpatterns = [
    path("", views.index, name="index"),
    path("bodies/<int:org_id>/", views.body_detail, name="body_detail"),
    path("bodies/<int:org_id>/profile/", views.body_edit, name="body_edit"),
    path("bodies/<int:org_id>/reviewers/new/", views.reviewer_appoint, name="reviewer_appoint"),
    path("bodies/<int:org_id>/advisers/new/", views.adviser_create, name="adviser_create"),
    path("advisers/<int:pk>/edit/", views.adviser_edit, name="adviser_edit"),
    path("reviewers/<int:pk>/withdraw/", views.reviewer_withdraw, name="reviewer_withdraw"),
    path("officers/", views.officer_list, name="officer_list"),
    path("officers/new/", views.officer_create, name="officer_create"),
    path("officers/<int:pk>/", views.officer_detail, name="officer_detail"),
    path("officers/<int:pk>/edit/", views.officer_edit, name="officer_edit"),
    path("officers/<int:pk>/photo", views.officer_photo, name="officer_photo"),
    path("officers/<int:pk>/training/new/", views.training_create, name="training_create"),
    path("", include("zhifa.registry.views_excel")),
]
