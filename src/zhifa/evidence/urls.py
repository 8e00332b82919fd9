from django.urls import path

from . import views

app_name = "evidence"

urlpatterns = [
    path("", views.evidence_list, name="list"),
    path("upload/", views.upload, name="upload"),
    path("<int:pk>/download", views.download, name="download"),
]
