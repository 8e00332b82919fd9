"""Forms of the record pages. They only shape the input; the rules are the services' (records,
delivery, execution), whose Chinese refusals the views put back on the form."""

from __future__ import annotations

import base64
import binascii
import io

from django import forms
from django.utils import timezone

from zhifa.registry.models import Officer

from .delivery import DOCUMENTS
from .models import Case, Party, Record, RecordKind, ServiceMode, SignerRole

DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"]
QA_ROWS = 6
MAX_QA_ROWS = 200
MAX_SIGNATURE_BYTES = 2 * 1024 * 1024


SAMPLING_PRESENT_LABEL = "抽样时在场人员（当事人、持有人或见证人，用逗号分隔）"


def _datetime_field(label: str) -> forms.DateTimeField:
    return forms.DateTimeField(
        label=label,
        required=False,
        input_formats=DATETIME_FORMATS,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )


def _gps_fields() -> tuple[forms.DecimalField, forms.DecimalField]:
    # Filled by capture.js from the phone's GPS; typed by hand without JS.
    attrs = {"inputmode": "decimal", "data-gps": ""}
    return (
        forms.DecimalField(
            label="纬度",
            required=False,
            max_digits=10,
            decimal_places=7,
            widget=forms.TextInput(attrs={**attrs, "data-gps": "lat"}),
        ),
        forms.DecimalField(
            label="经度",
            required=False,
            max_digits=11,
            decimal_places=7,
            widget=forms.TextInput(attrs={**attrs, "data-gps": "lon"}),
        ),
    )


class _CaseForm(forms.Form):
    def __init__(self, *args, case: Case, actor=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.case = case
        if "officers" in self.fields:
            officers = Officer.objects.filter(
                case_roles__case=case, case_roles__recused=False
            ).order_by("name")
            self.fields["officers"].queryset = officers
            # The officer filling the form is present; the others are ticked by hand.
            if actor is not None and "officers" not in self.initial:
                self.fields["officers"].initial = list(
                    officers.filter(user=actor).values_list("pk", flat=True)
                )

    def officer_ids(self) -> list[int]:
        return [o.pk for o in self.cleaned_data.get("officers") or ()]


def _officers_field() -> forms.ModelMultipleChoiceField:
    return forms.ModelMultipleChoiceField(
        label="在场执法人员（不少于两人）",
        queryset=Officer.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )


class MediaForm(_CaseForm):
    kind = forms.ChoiceField(
        label="类型",
        choices=[
            (k.value, k.label)
            for k in (RecordKind.PHOTO, RecordKind.VIDEO, RecordKind.AUDIO, RecordKind.DOCUMENT)
        ],
        initial=RecordKind.PHOTO,
    )
    file = forms.FileField(
        label="拍照 / 录像 / 录音 / 选择文件",
        required=False,
        allow_empty_file=True,  # the service says "文件为空" itself
        widget=forms.ClearableFileInput(attrs={"accept": "image/*,video/*,audio/*,.pdf,.ofd"}),
    )
    title = forms.CharField(label="说明（可不填）", max_length=200, required=False)
    taken_at = _datetime_field("拍摄时间")
    place = forms.CharField(label="地点", max_length=300, required=False)
    latitude, longitude = _gps_fields()
    officers = _officers_field()
    stage = forms.CharField(widget=forms.HiddenInput, required=False, max_length=48)

    def clean(self):
        data = super().clean()
        if not self.files.get("file") and not self.data.get("upload_id"):
            raise forms.ValidationError("请拍摄或选择要上传的文件。")
        return data


class TranscriptForm(_CaseForm):
    kind = forms.ChoiceField(
        label="笔录类型",
        choices=[
            (RecordKind.INTERVIEW.value, "询问笔录"),
            (RecordKind.ON_SITE.value, "现场检查笔录"),
            (RecordKind.SAMPLING.value, "抽样取证凭证"),
        ],
        widget=forms.HiddenInput,
    )
    title = forms.CharField(label="标题", max_length=200)
    taken_at = _datetime_field("时间")
    place = forms.CharField(label="地点", max_length=300)
    latitude, longitude = _gps_fields()
    officers = _officers_field()
    # 询问笔录
    interviewee_name = forms.CharField(label="被询问人姓名", max_length=64, required=False)
    interviewee_relation = forms.CharField(
        label="与案件关系（当事人、证人等）", max_length=64, required=False
    )
    interviewee_id_type = forms.ChoiceField(
        label="证件类型",
        choices=[("citizen_id", "居民身份证"), ("other", "其他证件")],
        required=False,
    )
    interviewee_id_number = forms.CharField(label="证件号码", max_length=32, required=False)
    interviewee_phone = forms.CharField(label="联系电话", max_length=32, required=False)
    interviewee_address = forms.CharField(label="住址", max_length=300, required=False)
    certificates_shown = forms.BooleanField(
        label="执法人员已出示执法证件，被询问人已确认", required=False
    )
    rights_notified = forms.BooleanField(
        label="已告知被询问人享有陈述、申辩和申请回避的权利", required=False
    )
    # 现场检查笔录
    present = forms.CharField(label="在场人员（用逗号分隔）", max_length=500, required=False)
    findings = forms.CharField(
        label="检查情况", widget=forms.Textarea(attrs={"rows": 6}), required=False
    )
    # 抽样取证凭证 (the service checks what is required; the form only shapes the input)
    goods_name = forms.CharField(label="抽样物品名称", max_length=100, required=False)
    specification = forms.CharField(label="规格型号", max_length=300, required=False)
    batch = forms.CharField(label="批号或生产日期", max_length=100, required=False)
    producer = forms.CharField(label="生产者（已知时填写）", max_length=300, required=False)
    base_quantity = forms.CharField(
        label="抽样基数",
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
    )
    base_unit = forms.CharField(label="单位（如千克、件、瓶）", max_length=16, required=False)
    sample_quantity = forms.CharField(
        label="抽取样品数量",
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
    )
    sample_unit = forms.CharField(label="单位", max_length=16, required=False)
    holder = forms.CharField(label="被抽样人（物品持有人）", max_length=64, required=False)
    holder_relation = forms.CharField(
        label="持有人与案件关系（当事人、保管人等）", max_length=64, required=False
    )
    sealed = forms.BooleanField(label="已当场封样", required=False)
    seal = forms.CharField(
        label="封样情况（封条编号、签封人、样品存放方式）", max_length=300, required=False
    )
    disposal = forms.ChoiceField(
        label="样品处理",
        choices=[("", "请选择"), ("test", "送检"), ("evidence", "留存作为证据")],
        required=False,
    )
    testing_body = forms.CharField(
        label="检验检测机构（送检时填写）", max_length=300, required=False
    )
    test_purpose = forms.CharField(
        label="检验项目或目的（送检时填写）", max_length=300, required=False
    )
    return_note = forms.CharField(
        label="样品退还或者付费说明（可不填）",
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=500,
        required=False,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        kind = self.data.get("kind") or self.initial.get("kind")
        if kind == RecordKind.SAMPLING:
            self.fields["certificates_shown"].label = "执法人员已出示执法证件"
            self.fields["present"].label = SAMPLING_PRESENT_LABEL

    def qa_rows(self) -> list[dict]:
        """The question/answer rows as posted (qa-N-q / qa-N-a), in order."""
        rows = []
        for n in range(MAX_QA_ROWS):
            q = self.data.get(f"qa-{n}-q")
            a = self.data.get(f"qa-{n}-a")
            if q is None and a is None:
                continue
            rows.append({"q": q or "", "a": a or ""})
        return rows

    def content(self) -> dict:
        data = self.cleaned_data
        if data["kind"] == RecordKind.INTERVIEW:
            return {
                "interviewee": {
                    "name": data.get("interviewee_name", ""),
                    "id_type": data.get("interviewee_id_type") or "citizen_id",
                    "id_number": data.get("interviewee_id_number", ""),
                    "relation": data.get("interviewee_relation", ""),
                    "phone": data.get("interviewee_phone", ""),
                    "address": data.get("interviewee_address", ""),
                },
                "qa": self.qa_rows(),
                "certificates_shown": bool(data.get("certificates_shown")),
                "rights_notified": bool(data.get("rights_notified")),
            }
        if data["kind"] == RecordKind.SAMPLING:
            return sampling_content(data)
        return {"present": data.get("present", ""), "findings": data.get("findings", "")}


def sampling_content(data: dict) -> dict:
    """The 抽样取证凭证's content from the cleaned form data (records._sampling_content)."""
    content: dict = {name: data.get(name, "") for name in SAMPLING_FIELDS}
    content["sealed"] = bool(data.get("sealed"))
    content["certificates_shown"] = bool(data.get("certificates_shown"))
    return content


SAMPLING_FIELDS = (
    "goods_name",
    "specification",
    "batch",
    "producer",
    "base_quantity",
    "base_unit",
    "sample_quantity",
    "sample_unit",
    "holder",
    "holder_relation",
    "present",
    "sealed",
    "seal",
    "disposal",
    "testing_body",
    "test_purpose",
    "return_note",
    "certificates_shown",
)
# The content fields of each structured record kind; the others are dropped from its form.
KIND_FIELDS = {
    RecordKind.INTERVIEW: (
        "interviewee_name",
        "interviewee_relation",
        "interviewee_id_type",
        "interviewee_id_number",
        "interviewee_phone",
        "interviewee_address",
        "certificates_shown",
        "rights_notified",
    ),
    RecordKind.ON_SITE: ("present", "findings"),
    RecordKind.SAMPLING: SAMPLING_FIELDS,
}
TRANSCRIPT_FIELDS = tuple(dict.fromkeys(f for names in KIND_FIELDS.values() for f in names))


class CorrectionForm(TranscriptForm):
    """A correction of a record (``records.correct_record``), prefilled with the record as it
    stands: a transcript's whole content, or the time, place and officers of a photo, recording
    or document (their file never changes). The reason is required."""

    reason = forms.CharField(
        label="更正原因（必填，将记入执法记录）",
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, record: Record, **kwargs):
        kwargs.setdefault("initial", initial_of(record))
        super().__init__(*args, case=record.case, **kwargs)
        self.record = record
        del self.fields["kind"]
        self.transcript = record.kind in KIND_FIELDS
        keep = KIND_FIELDS.get(record.kind, ())
        for name in TRANSCRIPT_FIELDS:
            if name not in keep:
                del self.fields[name]
        if not self.transcript:
            self.fields["place"].required = False
        elif record.kind == RecordKind.SAMPLING:
            self.fields["certificates_shown"].label = "执法人员已出示执法证件"
            self.fields["present"].label = SAMPLING_PRESENT_LABEL

    def content(self) -> dict | None:
        if not self.transcript:
            return None
        self.cleaned_data["kind"] = self.record.kind
        return super().content()


def initial_of(record: Record) -> dict:
    """The form's values from the record as it stands."""
    content = record.content or {}
    initial = {
        "title": record.title,
        "taken_at": timezone.localtime(record.taken_at),
        "place": record.place,
        "latitude": record.latitude,
        "longitude": record.longitude,
        "officers": list(record.officers.values_list("pk", flat=True)),
    }
    if record.kind == RecordKind.INTERVIEW:
        person = content.get("interviewee") or {}
        initial.update(
            {f"interviewee_{k}": person.get(k, "") for k in ("name", "relation", "id_number")}
            | {f"interviewee_{k}": person.get(k, "") for k in ("phone", "address")}
            | {
                "interviewee_id_type": person.get("id_type") or "citizen_id",
                "certificates_shown": bool(content.get("certificates_shown")),
                "rights_notified": bool(content.get("rights_notified")),
            }
        )
    elif record.kind == RecordKind.ON_SITE:
        present = content.get("present") or []
        initial.update(
            present="，".join(present) if isinstance(present, list) else str(present),
            findings=content.get("findings", ""),
        )
    elif record.kind == RecordKind.SAMPLING:
        initial.update({name: content.get(name, "") for name in SAMPLING_FIELDS})
        present = content.get("present") or []
        initial["present"] = "，".join(present) if isinstance(present, list) else str(present)
        initial["sealed"] = bool(content.get("sealed"))
        initial["certificates_shown"] = bool(content.get("certificates_shown"))
    return initial


class ServiceForm(_CaseForm):
    party = forms.ModelChoiceField(label="受送达人", queryset=Party.objects.none())
    document = forms.ChoiceField(label="送达文书", choices=list(DOCUMENTS.items()))
    document_title = forms.CharField(label="文书名称（可不填）", max_length=200, required=False)
    mode = forms.ChoiceField(label="送达方式", choices=ServiceMode.choices)
    delivered_on = forms.DateField(
        label="签收（送达、公告）日期", widget=forms.DateInput(attrs={"type": "date"})
    )
    recipient = forms.CharField(label="签收人", max_length=64, required=False)
    witness = forms.CharField(label="见证人", max_length=64, required=False)
    address = forms.CharField(label="送达地址", max_length=300, required=False)
    proof = forms.FileField(
        label="送达回证扫描件、回执或留置送达的照片/录像",
        required=False,
        allow_empty_file=True,
        widget=forms.ClearableFileInput(attrs={"accept": "image/*,video/*,.pdf"}),
    )
    note = forms.CharField(label="备注（公告送达须写明原因和经过）", max_length=300, required=False)

    def __init__(self, *args, case: Case, **kwargs):
        super().__init__(*args, case=case, **kwargs)
        # Any party id may be posted: the service refuses one of another case by name.
        self.fields["party"].queryset = Party.objects.all()
        self.fields["party"].widget.choices = [("", "---------")] + [
            (p.pk, p.name) for p in case.parties.all()
        ]
        self.fields["delivered_on"].initial = timezone.localdate()


class ConsentForm(forms.Form):
    address = forms.CharField(label="电子送达地址（电子邮箱、传真号码等）", max_length=200)
    document = forms.FileField(
        label="当事人签署的电子送达确认书（扫描件或照片）",
        allow_empty_file=True,
        widget=forms.ClearableFileInput(attrs={"accept": "image/*,.pdf,.ofd"}),
    )


class SignForm(forms.Form):
    signer_role = forms.ChoiceField(label="签名人身份", choices=SignerRole.choices)
    signer_name = forms.CharField(label="签名人姓名", max_length=64)
    # The canvas drawing as a data URL (capture.js); a scan without JS.
    signature_data = forms.CharField(widget=forms.HiddenInput, required=False)
    scan = forms.FileField(
        label="或上传签名页扫描件",
        required=False,
        allow_empty_file=True,
        widget=forms.ClearableFileInput(attrs={"accept": "image/*,.pdf"}),
    )

    def clean(self):
        data = super().clean()
        drawn = (data.get("signature_data") or "").strip()
        if drawn:
            prefix = "data:image/png;base64,"
            if not drawn.startswith(prefix) or len(drawn) > MAX_SIGNATURE_BYTES * 4 // 3 + 64:
                raise forms.ValidationError("手写签名数据格式错误，请重新签名。")
            try:
                raw = base64.b64decode(drawn[len(prefix) :], validate=True)
            except (binascii.Error, ValueError):
                raise forms.ValidationError("手写签名数据格式错误，请重新签名。") from None
            image = io.BytesIO(raw)
            image.name = "手写签名.png"
            data["image"] = image
        elif data.get("scan") is not None:
            data["image"] = data["scan"]
        else:
            raise forms.ValidationError("请在签名框内签名，或上传签名页扫描件。")
        return data


class RefusalForm(forms.Form):
    signer_role = forms.ChoiceField(label="拒签人身份", choices=SignerRole.choices)
    signer_name = forms.CharField(label="拒签人姓名", max_length=64)
    witness = forms.CharField(label="见证人", max_length=64, required=False)
    evidence = forms.ModelChoiceField(
        label="或选择记录拒签过程的录音录像", queryset=Record.objects.none(), required=False
    )

    def __init__(self, *args, record: Record, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["evidence"].queryset = Record.objects.filter(
            case=record.case_id, kind__in=(RecordKind.AUDIO, RecordKind.VIDEO)
        ).order_by("-taken_at")


class PaymentForm(forms.Form):
    amount = forms.DecimalField(label="缴款金额（元）", max_digits=14, decimal_places=2)
    paid_on = forms.DateField(label="缴款日期", widget=forms.DateInput(attrs={"type": "date"}))
    receipt = forms.FileField(
        label="缴款凭证（可不传）",
        required=False,
        allow_empty_file=True,
        widget=forms.ClearableFileInput(attrs={"accept": "image/*,.pdf"}),
    )
