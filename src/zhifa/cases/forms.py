"""Forms of the case pages. They render inputs and carry the raw values back; the rules (ID
numbers, dates, certificates, stage guards) live in the services, whose Chinese refusals the
pages show. An action's form is generated from its FieldSpecs, so one view serves every action
of every procedure."""

from __future__ import annotations

from typing import Any

from django import forms
from django.http import QueryDict

from zhifa.core.models import Organization

from .models import Case, Category, PartyKind, Procedure, Source
from .procedures import PROCEDURES
from .procedures.base import FieldSpec

PARTY_ROWS = 3
PARTY_FIELDS = ("kind", "name", "id_number", "legal_representative", "address", "phone")


class FilterForm(forms.Form):
    """Filters of the case lists (GET). Invalid values are ignored, never an error page."""

    q = forms.CharField(label="关键词", required=False, max_length=100)
    category = forms.ChoiceField(
        label="类别", required=False, choices=[("", "全部类别"), *Category.choices]
    )
    procedure = forms.ChoiceField(
        label="程序", required=False, choices=[("", "全部程序"), *Procedure.choices]
    )
    stage = forms.ChoiceField(label="环节", required=False)
    date_from = forms.DateField(
        label="登记日期自", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label="至", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        seen: dict[str, str] = {}
        for proc in PROCEDURES.values():
            for stage in proc.stages:
                seen.setdefault(stage.code, stage.label)
        self.fields["stage"].choices = [("", "全部环节"), *sorted(seen.items())]

    def values(self) -> dict[str, Any]:
        """The valid filters only (a stale or hand-edited query string just drops a filter)."""
        if not self.is_bound:
            return {}
        self.is_valid()
        return {k: v for k, v in self.cleaned_data.items() if v not in (None, "")}


def filing_places(memberships) -> list[tuple[Organization, Organization | None]]:
    """(enforcement body, handling unit) pairs the user may register cases for: each
    membership as officer or head, named by the body it belongs to (an internal unit files in
    the name of the nearest enforcement body above it)."""
    places: list[tuple[Organization, Organization | None]] = []
    for m in memberships:
        if m.role not in ("officer", "unit_head", "body_head"):
            continue
        org = m.organization
        if org.is_enforcement_body:
            place = (org, None)
        else:
            body = _body_above(org)
            if body is None:
                continue
            place = (body, org)
        if place not in places:
            places.append(place)
    return places


def _body_above(org: Organization) -> Organization | None:
    ids = [int(x) for x in org.path.strip("/").split("/") if x.isdigit()]
    bodies = {o.pk: o for o in Organization.objects.filter(pk__in=ids, is_enforcement_body=True)}
    for pk in reversed(ids):
        if pk in bodies:
            return bodies[pk]
    return None


class CaseForm(forms.Form):
    """登记案件: the case itself. Parties and officers are read from the same POST by the view
    (party-N-* rows and the officer checkboxes)."""

    place_key = forms.ChoiceField(label="执法主体及承办机构")
    matter = forms.ChoiceField(label="执法事项（本主体权责清单）")
    procedure = forms.ChoiceField(label="办案程序", choices=Procedure.choices)
    title = forms.CharField(label="案由", max_length=300)
    source = forms.ChoiceField(label="案件来源", choices=Source.choices)
    summary = forms.CharField(
        label="基本案情", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    place = forms.CharField(label="地点", required=False, max_length=300)
    occurred_on = forms.CharField(
        label="违法行为发生日期", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    act_continuing_until = forms.CharField(
        label="连续或继续状态终了日（如有）",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    discovered_on = forms.CharField(
        label="发现日期", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    officers = forms.MultipleChoiceField(
        label="承办人员（至少两名持有效执法证）",
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    lead = forms.ChoiceField(label="主办人员", required=False)

    def __init__(self, *args: Any, places=(), matters=(), officers=(), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["place_key"].choices = [
            (place_key(body, unit), f"{body.name}{' · ' + unit.name if unit else ''}")
            for body, unit in places
        ]
        self.fields["matter"].choices = [("", "请选择事项")] + [
            (str(m.pk), f"{m.code} {m.name}（{m.get_category_display()}）") for m in matters
        ]
        self.fields["officers"].choices = [
            (str(o.pk), f"{o.name}（{o.certificate_no}）") for o in officers
        ]
        self.fields["lead"].choices = [("", "第一位勾选的人员")] + [
            (str(o.pk), o.name) for o in officers
        ]


def place_key(body: Organization, unit: Organization | None) -> str:
    return f"{body.pk}:{unit.pk if unit else ''}"


def party_rows(data: QueryDict | None) -> list[dict[str, str]]:
    """The party rows of the new-case form as typed (blank rows included, for re-display)."""
    rows = []
    for i in range(PARTY_ROWS):
        row = {
            f: (data.get(f"party-{i}-{f}", "") if data is not None else "") for f in PARTY_FIELDS
        }
        row["index"] = str(i)
        rows.append(row)
    if data is None:
        rows[0]["kind"] = PartyKind.NATURAL
    return rows


def filled_parties(rows: list[dict[str, str]]) -> list[dict[str, str]]:
    """Rows with a name or number typed in; the service validates them (ID number, USCC)."""
    out = []
    for row in rows:
        if (row.get("name") or "").strip() or (row.get("id_number") or "").strip():
            out.append({f: row.get(f, "") for f in PARTY_FIELDS})
    return out


# ---------------------------------------------------------------- action forms


def _field_for(spec: FieldSpec, officer_choices: list[tuple[str, str]]) -> forms.Field:
    common = {"label": spec.label, "required": spec.required, "help_text": spec.help}
    if spec.kind == "textarea":
        return forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), **common)
    if spec.kind == "date":
        return forms.CharField(widget=forms.DateInput(attrs={"type": "date"}), **common)
    if spec.kind == "datetime":
        return forms.CharField(
            widget=forms.DateTimeInput(attrs={"type": "datetime-local"}), **common
        )
    if spec.kind == "decimal":
        return forms.CharField(widget=forms.TextInput(attrs={"inputmode": "decimal"}), **common)
    if spec.kind == "int":
        return forms.CharField(widget=forms.TextInput(attrs={"inputmode": "numeric"}), **common)
    if spec.kind == "bool":
        return forms.BooleanField(**{**common, "required": False})
    if spec.kind == "choice":
        choices = list(spec.choices)
        if not spec.required:
            choices = [("", "（不选）"), *choices]
        return forms.ChoiceField(choices=choices, **common)
    if spec.kind == "multichoice":
        return forms.MultipleChoiceField(
            choices=spec.choices, widget=forms.CheckboxSelectMultiple, **common
        )
    if spec.kind == "officers":
        return forms.MultipleChoiceField(
            choices=officer_choices, widget=forms.CheckboxSelectMultiple, **common
        )
    return forms.CharField(max_length=300, **common)


class ActionForm(forms.Form):
    """One action's form: its FieldSpecs as inputs, prefixed by the action (several forms on
    one page), plus the stage the page showed, so a form left open after the case moved on is
    refused as stale instead of acting on a stage the officer did not see."""

    def __init__(
        self,
        action: str,
        specs: tuple[FieldSpec, ...],
        case: Case,
        *args: Any,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, prefix=action, **kwargs)
        self.action = action
        self.specs = specs
        officer_choices = (
            [
                (str(row.officer_id), row.officer.name)
                for row in case.case_officers.filter(recused=False).select_related("officer")
            ]
            if any(s.kind == "officers" for s in specs)
            else []
        )
        for spec in specs:
            self.fields[spec.name] = _field_for(spec, officer_choices)

    def raw_data(self, post: QueryDict) -> dict[str, Any]:
        """The submitted values by field name, as the service's clean_form expects them."""
        data: dict[str, Any] = {}
        for spec in self.specs:
            key = self.add_prefix(spec.name)
            if spec.kind in ("multichoice", "officers"):
                data[spec.name] = post.getlist(key)
            elif spec.kind == "bool":
                data[spec.name] = key in post and post.get(key) not in ("", "false", "0")
            else:
                data[spec.name] = post.get(key, "")
        return data
