from django.urls import path

from . import views_staff as views

app_name = "publicity_staff"

urlpatterns = [
    path("", views.index, name="index"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/review", views.review, name="review"),
    path("<int:pk>/publish", views.publish, name="publish"),
    path("<int:pk>/withdraw", views.withdraw, name="withdraw"),
    path("<int:pk>/not-publish", views.request_not_publish, name="request_not_publish"),
    path("<int:pk>/not-publish/approve", views.approve_not_publish, name="approve_not_publish"),
    path("acts/<int:case_id>/", views.act_qr, name="act_qr"),
]
