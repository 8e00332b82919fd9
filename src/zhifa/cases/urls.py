from django.urls import path

from . import views

app_name = "cases"

urlpatterns = [
    path("", views.case_list, {"which": "mine"}, name="mine"),
    path("unit/", views.case_list, {"which": "unit"}, name="unit"),
    path("overdue/", views.case_list, {"which": "overdue"}, name="overdue"),
    path("all/", views.case_list, {"which": "all"}, name="all"),
    path("new/", views.case_new, name="new"),
    path("<int:pk>/", views.case_detail, name="detail"),
    path("<int:pk>/act", views.case_action, name="act"),
    path(
        "<int:pk>/change/<str:what>",
        views.case_change,
        name="change",
    ),
    path("<int:pk>/documents/<int:step_id>", views.case_document, name="document"),
    path("<int:pk>/case-file", views.case_file, name="case_file"),
]
