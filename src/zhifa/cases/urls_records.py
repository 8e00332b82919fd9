from django.urls import path

from . import views_records as views

app_name = "case_records"

urlpatterns = [
    path("<int:case_id>/", views.record_list, name="list"),
    path("<int:case_id>/capture/", views.capture, name="capture"),
    path("<int:case_id>/capture/finish", views.capture_finish, name="capture_finish"),
    path("<int:case_id>/transcripts/new", views.transcript_new, name="transcript_new"),
    path("<int:case_id>/services/new", views.service_new, name="service_new"),
    path("<int:case_id>/parties/<int:party_id>/consent", views.consent, name="consent"),
    path("<int:case_id>/payments/", views.payments, name="payments"),
    path("r/<int:record_id>/", views.record_detail, name="detail"),
    path("r/<int:record_id>/file", views.record_media, name="media"),
    path(
        "r/<int:record_id>/signatures/<int:signature_id>/image",
        views.record_media,
        name="signature_image",
    ),
    path("r/<int:record_id>/correct", views.correct, name="correct"),
    path("r/<int:record_id>/sign", views.sign, name="sign"),
    path("r/<int:record_id>/refusal", views.refusal, name="refusal"),
]
