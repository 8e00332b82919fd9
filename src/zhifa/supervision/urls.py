from django.urls import path

from . import views

app_name = "supervision"

urlpatterns = [
    path("complaints/", views.complaint_list, name="complaint_list"),
    path("complaints/<int:pk>/", views.complaint_detail, name="complaint_detail"),
    path("complaints/<int:pk>/<slug:action>/", views.complaint_action, name="complaint_action"),
]
