from django.urls import path

from . import views

app_name = "complaints"

urlpatterns = [
    path("", views.complaint_new, name="new"),
    path("lookup/", views.complaint_lookup, name="lookup"),
]
