"""Changes to power lists. Each function checks ``powers.manage`` and the actor's reach over
the body (a membership covers its subtree), makes the change and appends a ledger entry, in one
transaction. The actor is a user, an API client (``zhifa.exchange``: its organisation's subtree
and the ``powers.write`` scope only; the ledger names the client) or ``None``, for trusted
callers only (``zhifa demo``, the operator's CLI).

Publishing copies the draft into a new published version; earlier versions stay unchanged."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from zhifa.core.models import Organization, Role
from zhifa.exchange.actors import Actor, acting_role, ledger_actor
from zhifa.ledger.services import record

from .models import (
    Category,
    DiscretionBenchmark,
    DiscretionGrade,
    ListStatus,
    Matter,
    NoPenaltyItem,
    PowerList,
)

__all__ = [
    "EVENTS",
    "MANAGE_ROLES",
    "BENCHMARK_FIELDS",
    "GRADE_FIELDS",
    "MATTER_FIELDS",
    "NO_PENALTY_FIELDS",
    "NO_PENALTY_LISTS",
    "WRITE_SCOPE",
    "can_manage",
    "create_list",
    "new_draft",
    "publish_list",
    "resolve_articles",
    "save_benchmark",
    "save_matter",
    "save_no_penalty_item",
    "update_benchmark",
    "update_no_penalty_item",
]

MANAGE_ROLES = (Role.BODY_HEAD, Role.UNIT_HEAD)

EVENTS = {
    "powers.list_created": "权责清单创建",
    "powers.matter_saved": "权力事项登记变更",
    "powers.list_published": "权责清单发布",
    "powers.benchmark_saved": "裁量基准制定变更",
    "powers.no_penalty_saved": "不予处罚事项制定变更",
}

WRITE_SCOPE = "powers.write"  # the token scope an API client needs

MATTER_FIELDS = (
    "name",
    "category",
    "basis_text",
    "responsible_unit",
    "time_limit",
    "fees",
    "procedure_steps",
    "acceptance_conditions",
    "materials",
    "guide_time_limit",
    "place",
    "contact",
    "on_inspection_list",
    "delegated_from",
    "sort_order",
)


def _manage_role(actor: Actor, organization: Organization) -> str:
    return acting_role(
        actor,
        organization,
        "powers.manage",
        MANAGE_ROLES,
        "您不能管理该执法主体的权责清单。",
        scope=WRITE_SCOPE,
    )


def can_manage(user: Actor, organization: Organization) -> bool:
    try:
        _manage_role(user, organization)
    except PermissionDenied:
        return False
    return True


def resolve_articles(text: str) -> list:
    """Articles of the library cited in the text (those not imported yet are skipped)."""
    from zhifa.laws.citations import find_citations

    seen, found = set(), []
    for c in find_citations(text or ""):
        if c.article_obj is not None and c.article_obj.pk not in seen:
            seen.add(c.article_obj.pk)
            found.append(c.article_obj)
    return found


@transaction.atomic
def create_list(actor: Actor, organization: Organization, year: int, title: str = ""):
    role = _manage_role(actor, organization)
    if not organization.is_enforcement_body:
        raise ValidationError("只有执法主体可以编制权责清单。")
    if not 2000 <= int(year) <= 2100:
        raise ValidationError("年度不正确。")
    if PowerList.objects.filter(
        organization=organization, year=year, status=ListStatus.DRAFT
    ).exists():
        raise ValidationError(f"{year}年已有草稿清单。")
    last = PowerList.objects.filter(organization=organization, year=year).aggregate(
        v=Max("version")
    )["v"]
    plist = PowerList.objects.create(
        organization=organization, year=year, version=(last or 0) + 1, title=title.strip()
    )
    record(
        actor=ledger_actor(actor),
        role=role,
        organization=organization,
        subject=f"powerlist:{plist.pk}",
        event_type="powers.list_created",
        payload={"year": plist.year, "version": plist.version, "title": plist.title},
    )
    return plist


def _clean_steps(steps: Any) -> list[str]:
    if isinstance(steps, str):
        steps = steps.replace("→", "\n").split("\n")
    cleaned = [str(s).strip() for s in steps or [] if str(s).strip()]
    if any(len(s) > 40 for s in cleaned):
        raise ValidationError("每个办理环节不超过40字。")
    return cleaned


def _state(matter: Matter) -> dict[str, Any]:
    state = {name: getattr(matter, name) for name in MATTER_FIELDS}
    state["responsible_unit"] = matter.responsible_unit_id
    state["procedure_steps"] = list(matter.procedure_steps)
    return state


@transaction.atomic
def save_matter(actor: Actor, power_list: PowerList, code: str, **fields) -> tuple[Matter, bool]:
    """Add (or update, by code) a matter of a draft list. Returns (matter, created)."""
    role = _manage_role(actor, power_list.organization)
    power_list = PowerList.objects.select_for_update().get(pk=power_list.pk)
    if power_list.status != ListStatus.DRAFT:
        raise ValidationError("已发布的清单不能修改；请在新草稿中修改。")
    unknown = set(fields) - set(MATTER_FIELDS)
    if unknown:
        raise TypeError(f"unknown matter fields: {sorted(unknown)}")
    code = (code or "").strip()
    if not code or len(code) > 64:
        raise ValidationError("请填写事项编码（不超过64字）。")
    if "category" in fields and fields["category"] not in Category.values:
        raise ValidationError("权力类别不正确。")
    if "procedure_steps" in fields:
        fields["procedure_steps"] = _clean_steps(fields["procedure_steps"])
    unit = fields.get("responsible_unit")
    if unit is not None and not unit.path.startswith(power_list.organization.path):
        raise ValidationError("承办机构应为本执法主体的内设机构。")
    matter = Matter.objects.filter(power_list=power_list, code=code).first()
    created = matter is None
    if created:
        if not (fields.get("name") or "").strip() or not fields.get("category"):
            raise ValidationError("请填写事项名称和权力类别。")
        before: dict[str, Any] = {}
        matter = Matter(power_list=power_list, code=code)
    else:
        before = _state(matter)
    for name, value in fields.items():
        setattr(matter, name, value.strip() if isinstance(value, str) else value)
    matter.save()
    articles = resolve_articles(matter.basis_text)
    matter.legal_bases.set(articles)
    after = _state(matter)
    changed = sorted(k for k in after if before.get(k) != after.get(k))
    record(
        actor=ledger_actor(actor),
        role=role,
        organization=power_list.organization,
        subject=f"powermatter:{matter.pk}",
        event_type="powers.matter_saved",
        payload={
            "list": power_list.pk,
            "code": code,
            "created": created,
            "changed": changed,
            "after": {k: after[k] for k in changed},
            "articles": [a.pk for a in articles],
        },
    )
    return matter, created


@transaction.atomic
def publish_list(actor: Actor, power_list: PowerList) -> PowerList:
    """Publish the draft version. Later changes go into a new draft version
    (:func:`new_draft`); published versions are never edited and all of them stay."""
    role = _manage_role(actor, power_list.organization)
    power_list = PowerList.objects.select_for_update().get(pk=power_list.pk)
    if power_list.status != ListStatus.DRAFT:
        raise ValidationError("该清单已发布。")
    if not power_list.matters.exists():
        raise ValidationError("清单中没有事项，不能发布。")
    power_list.status = ListStatus.PUBLISHED
    power_list.published_at = timezone.now()
    power_list.save(update_fields=["status", "published_at"])
    record(
        actor=ledger_actor(actor),
        role=role,
        organization=power_list.organization,
        subject=f"powerlist:{power_list.pk}",
        event_type="powers.list_published",
        payload={
            "year": power_list.year,
            "version": power_list.version,
            "matters": power_list.matters.count(),
        },
    )
    return power_list


@transaction.atomic
def new_draft(actor: Actor, power_list: PowerList) -> PowerList:
    """A new draft version copying a published list's matters (the published one stays)."""
    draft = create_list(actor, power_list.organization, power_list.year, power_list.title)
    for matter in power_list.matters.all():
        articles = list(matter.legal_bases.all())
        matter.pk = None
        matter.power_list = draft
        matter.save()
        matter.legal_bases.set(articles)
    return draft


# ---------------------------------------------------------------- 裁量基准 and 不予处罚清单
#
# A body makes its own benchmarks and no-penalty items (organization = the body). Reference
# tables (organization None: another province's, loaded by the operator with
# ``zhifa powers import-discretion``) are read by everyone and changed only by trusted callers.

BENCHMARK_FIELDS = ("section", "violation", "legal_basis", "penalty_basis")
GRADE_FIELDS = (
    "label",
    "conditions",
    "fine_min",
    "fine_max",
    "multiple_min",
    "multiple_max",
    "multiple_base",
    "other_penalties",
    "raw_text",
)
NO_PENALTY_FIELDS = ("list_name", "category", "violation", "conditions", "legal_basis")
# 行政处罚法 第三十三条第一款: 轻微不罚 (不予) and 首违不罚 (可以不予).
NO_PENALTY_LISTS = ("轻微不罚", "首违不罚")
REFERENCE_REFUSED = "参考表（其他地区的裁量基准）不能修改；请在本机关的裁量基准中制定。"

_TEXT_LIMITS = {
    "section": ("分类", 200),
    "violation": ("违法行为", 10000),
    "legal_basis": ("法律依据", 10000),
    "penalty_basis": ("处罚依据", 10000),
    "label": ("档次", 64),
    "conditions": ("裁量情节", 10000),
    "multiple_base": ("倍数基数", 64),
    "other_penalties": ("其他处罚", 10000),
    "raw_text": ("裁量标准原文", 10000),
    "list_name": ("清单", 64),
    "category": ("类别", 100),
}
# field: (label, decimal places, largest value the column holds)
_NUMBERS = {
    "fine_min": ("罚款下限", 2, Decimal("999999999999.99")),
    "fine_max": ("罚款上限", 2, Decimal("999999999999.99")),
    "multiple_min": ("倍数下限", 4, Decimal("999999.9999")),
    "multiple_max": ("倍数上限", 4, Decimal("999999.9999")),
}


def _owner_role(actor: Actor, organization: Organization | None) -> str:
    if organization is None:
        if actor is not None:
            raise PermissionDenied(REFERENCE_REFUSED)
        return "system"
    if not organization.is_enforcement_body:
        raise ValidationError("只有执法主体可以制定裁量基准和不予处罚清单。")
    return _manage_role(actor, organization)


def _clean_text(name: str, value: Any, *, required: bool = False) -> str:
    label, limit = _TEXT_LIMITS[name]
    text = "" if value is None else str(value).strip()
    if required and not text:
        raise ValidationError(f"请填写{label}。")
    if len(text) > limit:
        raise ValidationError(f"{label}不能超过{limit}个字。")
    return text


def _clean_key(source: Any, item_no: Any) -> tuple[str, str]:
    source = "" if source is None else str(source).strip()
    item_no = "" if item_no is None else str(item_no).strip()
    if not source or len(source) > 200:
        raise ValidationError("请填写来源表名称（不超过200字）。")
    if not item_no or len(item_no) > 32:
        raise ValidationError("请填写序号（不超过32字）。")
    return source, item_no


def _clean_number(name: str, value: Any, prefix: str) -> Decimal | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    label, places, largest = _NUMBERS[name]
    if isinstance(value, bool):
        raise ValidationError(f"{prefix}{label}应为数字。")
    try:
        number = Decimal(str(value).strip().replace(",", ""))
    except InvalidOperation:
        raise ValidationError(f"{prefix}{label}应为数字。") from None
    quantum = Decimal(1).scaleb(-places)
    if not number.is_finite() or number < 0 or number > largest:
        raise ValidationError(f"{prefix}{label}应为0至{largest:,.0f}之间的数字。")
    if number != number.quantize(quantum):
        raise ValidationError(f"{prefix}{label}最多保留{places}位小数。")
    return number.quantize(quantum)


def clean_grades(grades: Any) -> list[dict[str, Any]]:
    """The 裁量档次 in order, each checked: a label, ranges low ≤ high, a 倍数基数 (违法所得,
    货值金额 ...) whenever a multiple is given."""
    cleaned = []
    for seq, grade in enumerate(grades or [], start=1):
        unknown = set(grade) - set(GRADE_FIELDS)
        if unknown:
            raise TypeError(f"unknown grade fields: {sorted(unknown)}")
        prefix = f"第{seq}档："
        row: dict[str, Any] = {}
        for name in GRADE_FIELDS:
            if name in _NUMBERS:
                row[name] = _clean_number(name, grade.get(name), prefix)
            else:
                try:
                    row[name] = _clean_text(name, grade.get(name), required=name == "label")
                except ValidationError as exc:
                    raise ValidationError(prefix + exc.messages[0]) from None
        for low, high, label in (
            ("fine_min", "fine_max", "罚款"),
            ("multiple_min", "multiple_max", "倍数"),
        ):
            if row[low] is not None and row[high] is not None and row[low] > row[high]:
                raise ValidationError(f"{prefix}{label}下限不能大于上限。")
        if (row["multiple_min"] is not None or row["multiple_max"] is not None) and not row[
            "multiple_base"
        ]:
            raise ValidationError(f"{prefix}填写倍数的，请填写倍数基数（如违法所得、货值金额）。")
        cleaned.append(row)
    return cleaned


def _plain(value: Any) -> Any:
    return str(value) if isinstance(value, Decimal) else value


def _grade_state(grade: DiscretionGrade | dict) -> dict[str, Any]:
    get = grade.get if isinstance(grade, dict) else lambda n: getattr(grade, n)
    state = {}
    for name in GRADE_FIELDS:
        value = get(name)
        if name in _NUMBERS and value is not None:
            value = Decimal(value).quantize(Decimal(1).scaleb(-_NUMBERS[name][1]))
        state[name] = _plain(value)
    return state


def _benchmark_state(bench: DiscretionBenchmark) -> dict[str, Any]:
    state: dict[str, Any] = {name: getattr(bench, name) for name in BENCHMARK_FIELDS}
    state["grades"] = [_grade_state(g) for g in bench.grades.order_by("seq")]
    return state


def _owner_name(organization_id: int | None) -> str:
    if organization_id is None:
        return "参考表"
    return Organization.objects.filter(pk=organization_id).values_list("name", flat=True).first()


@transaction.atomic
def save_benchmark(
    actor: Actor,
    organization: Organization | None,
    source: str,
    item_no: str,
    *,
    grades: list[dict[str, Any]] | None = None,
    **fields: Any,
) -> tuple[DiscretionBenchmark, bool]:
    """Create or update (by 来源表 + 序号) a body's benchmark; ``grades`` given replaces its
    裁量档次 (in that order). One ledger entry with the fields before and after; a save that
    changes nothing writes nothing. Returns (benchmark, created)."""
    role = _owner_role(actor, organization)
    source, item_no = _clean_key(source, item_no)
    unknown = set(fields) - set(BENCHMARK_FIELDS)
    if unknown:
        raise TypeError(f"unknown benchmark fields: {sorted(unknown)}")
    org_id = organization.pk if organization else None
    bench = (
        DiscretionBenchmark.objects.select_for_update()
        .filter(source=source, item_no=item_no)
        .first()
    )
    created = bench is None
    if created:
        bench = DiscretionBenchmark(source=source, item_no=item_no, organization=organization)
        before: dict[str, Any] = {}
        fields.setdefault("violation", "")
    else:
        if bench.organization_id != org_id:
            raise ValidationError(
                f"“{source}”序号{item_no}的裁量基准属于{_owner_name(bench.organization_id)}，"
                "不能在此修改；请使用本机关的来源表名称。"
            )
        before = _benchmark_state(bench)
    for name, value in fields.items():
        setattr(bench, name, _clean_text(name, value, required=name == "violation"))
    new_grades = clean_grades(grades) if grades is not None else None
    after: dict[str, Any] = {name: getattr(bench, name) for name in BENCHMARK_FIELDS}
    after["grades"] = (
        [_grade_state(g) for g in new_grades]
        if new_grades is not None
        else before.get("grades", [])
    )
    changed = sorted(k for k in after if before.get(k) != after.get(k))
    if not created and not changed:
        return bench, False
    bench.save()
    bench.articles.set(resolve_articles(f"{bench.legal_basis}\n{bench.penalty_basis}"))
    if "grades" in changed:
        bench.grades.all().delete()
        DiscretionGrade.objects.bulk_create(
            DiscretionGrade(benchmark=bench, seq=seq, **g)
            for seq, g in enumerate(new_grades or [], start=1)
        )
    record(
        actor=ledger_actor(actor),
        role=role,
        organization=organization,
        subject=f"benchmark:{bench.pk}",
        event_type="powers.benchmark_saved",
        payload={
            "source": source,
            "item_no": item_no,
            "created": created,
            "changed": changed,
            "before": {k: before.get(k) for k in changed} if not created else {},
            "after": {k: after[k] for k in changed},
        },
    )
    return bench, created


def update_benchmark(
    actor: Actor, bench: DiscretionBenchmark, **fields: Any
) -> DiscretionBenchmark:
    """Change the fields given (and the grades, when given) of an existing benchmark."""
    saved, _ = save_benchmark(actor, bench.organization, bench.source, bench.item_no, **fields)
    return saved


def _no_penalty_state(item: NoPenaltyItem) -> dict[str, Any]:
    return {name: getattr(item, name) for name in NO_PENALTY_FIELDS}


@transaction.atomic
def save_no_penalty_item(
    actor: Actor, organization: Organization | None, source: str, item_no: str, **fields: Any
) -> tuple[NoPenaltyItem, bool]:
    """Create or update (by 来源 + 序号) an item of a body's 轻微不罚 / 首违不罚 list, with a
    ledger entry (before/after). Returns (item, created)."""
    role = _owner_role(actor, organization)
    source, item_no = _clean_key(source, item_no)
    unknown = set(fields) - set(NO_PENALTY_FIELDS)
    if unknown:
        raise TypeError(f"unknown no-penalty fields: {sorted(unknown)}")
    org_id = organization.pk if organization else None
    item = NoPenaltyItem.objects.select_for_update().filter(source=source, item_no=item_no).first()
    created = item is None
    if created:
        item = NoPenaltyItem(source=source, item_no=item_no, organization=organization)
        before: dict[str, Any] = {}
        fields.setdefault("violation", "")
        fields.setdefault("list_name", "")
    else:
        if item.organization_id != org_id:
            raise ValidationError(
                f"“{source}”序号{item_no}的不予处罚事项属于{_owner_name(item.organization_id)}，"
                "不能在此修改；请使用本机关的来源名称。"
            )
        before = _no_penalty_state(item)
    for name, value in fields.items():
        if name == "list_name":
            value = "" if value is None else str(value).strip()
            if value not in NO_PENALTY_LISTS:
                raise ValidationError(f"清单应为：{'、'.join(NO_PENALTY_LISTS)}。")
        setattr(item, name, _clean_text(name, value, required=name == "violation"))
    after = _no_penalty_state(item)
    changed = sorted(k for k in after if before.get(k) != after.get(k))
    if not created and not changed:
        return item, False
    item.save()
    record(
        actor=ledger_actor(actor),
        role=role,
        organization=organization,
        subject=f"nopenalty:{item.pk}",
        event_type="powers.no_penalty_saved",
        payload={
            "source": source,
            "item_no": item_no,
            "created": created,
            "changed": changed,
            "before": {k: before.get(k) for k in changed} if not created else {},
            "after": {k: after[k] for k in changed},
        },
    )
    return item, created


def update_no_penalty_item(actor: Actor, item: NoPenaltyItem, **fields: Any) -> NoPenaltyItem:
    saved, _ = save_no_penalty_item(actor, item.organization, item.source, item.item_no, **fields)
    return saved
