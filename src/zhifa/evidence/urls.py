from django.urls import path

from . import views

app_name = "evidence"

urlpatterns = [
    path("", views.evidence_list, name="list"),
    path("upload/", views.upload, name="upload"),
    path("<int:pk>/download", views.download, name="download"),
    path("uploads/", views.upload_start, name="upload_start"),
    path("uploads/<uuid:pk>/", views.upload_status, name="upload_status"),
    path("uploads/<uuid:pk>/chunk", views.upload_chunk, name="upload_chunk"),
    path("uploads/<uuid:pk>/finish", views.upload_finish, name="upload_finish"),
]
