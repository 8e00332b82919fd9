from django.urls import path

from . import views

app_name = "laws"

urlpatterns = [
    path("", views.index, name="index"),
    path("<int:pk>/", views.law_detail, name="law"),
    path("article/<int:pk>/", views.article_detail, name="article"),
]
