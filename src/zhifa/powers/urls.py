from django.urls import path

from . import views

app_name = "powers"

urlpatterns = [
    path("", views.index, name="index"),
    path("lists/<int:pk>/", views.list_detail, name="list_detail"),
    path("matters/<int:pk>/", views.matter_detail, name="matter_detail"),
    path("discretion/", views.discretion, name="discretion"),
    path("discretion/<int:pk>/", views.benchmark_detail, name="benchmark_detail"),
    path("no-penalty/", views.no_penalty, name="no_penalty"),
]
