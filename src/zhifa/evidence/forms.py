from __future__ import annotations

from django import forms
from django.db.models import QuerySet
from django.utils import timezone

from zhifa.core.models import Organization


class EvidenceUploadForm(forms.Form):
    subject = forms.CharField(label="所属对象", max_length=200, widget=forms.HiddenInput)
    organization = forms.ModelChoiceField(
        label="登记单位", queryset=Organization.objects.none(), empty_label=None
    )
    # On a phone the first opens the camera / recorder; the second picks any stored file
    # (PDF, Word, Excel, OFD …). Exactly one is used.
    capture_file = forms.FileField(
        label="现场拍摄 / 录音 / 录像",
        required=False,
        allow_empty_file=True,  # the service says "文件为空" itself
        widget=forms.FileInput(attrs={"accept": "image/*,video/*,audio/*", "capture": ""}),
    )
    document = forms.FileField(
        label="或选择已有文件",
        required=False,
        allow_empty_file=True,
        widget=forms.FileInput,
    )
    captured_at = forms.DateTimeField(
        label="采集时间",
        required=False,
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    place = forms.CharField(label="采集地点", max_length=200, required=False)
    latitude = forms.DecimalField(
        label="纬度", required=False, min_value=-90, max_value=90, decimal_places=7, max_digits=10
    )
    longitude = forms.DecimalField(
        label="经度",
        required=False,
        min_value=-180,
        max_value=180,
        decimal_places=7,
        max_digits=11,
    )
    device = forms.CharField(label="采集设备", max_length=100, required=False)
    officer = forms.CharField(label="采集人", max_length=100, required=False)

    def __init__(self, *args, organizations: QuerySet[Organization], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = organizations

    def clean(self):
        data = super().clean()
        chosen = [f for f in (data.get("capture_file"), data.get("document")) if f is not None]
        if not chosen:
            raise forms.ValidationError("请选择要上传的证据文件。")
        if len(chosen) > 1:
            raise forms.ValidationError("一次只能上传一个文件，请只选择其中一项。")
        data["upload"] = chosen[0]
        if (data.get("latitude") is None) != (data.get("longitude") is None):
            raise forms.ValidationError("经度和纬度须同时填写。")
        return data

    def capture(self, default_officer: str) -> dict:
        data = self.cleaned_data
        capture: dict = {}
        if data.get("captured_at"):
            capture["time"] = timezone.localtime(data["captured_at"]).isoformat()
        if data.get("place"):
            capture["place"] = data["place"].strip()
        if data.get("latitude") is not None:
            # Strings, exactly as entered: the ledger's canonical JSON keeps them unchanged.
            capture["gps"] = {"lat": str(data["latitude"]), "lon": str(data["longitude"])}
        if data.get("device"):
            capture["device"] = data["device"].strip()
        capture["officer"] = (data.get("officer") or "").strip() or default_officer
        return capture
