"""Changes to power lists. Each function checks ``powers.manage`` and the actor's reach over
the body (a membership covers its subtree), makes the change and appends a ledger entry, in one
transaction. ``actor=None`` is for trusted callers only (``zhifa demo``, the operator's CLI).

Publishing copies the draft into a new published version; earlier versions stay unchanged."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from zhifa.core.models import Organization, Role, User
from zhifa.core.permissions import role_over
from zhifa.ledger.services import record

from .models import Category, ListStatus, Matter, PowerList

__all__ = [
    "EVENTS",
    "MANAGE_ROLES",
    "MATTER_FIELDS",
    "can_manage",
    "create_list",
    "new_draft",
    "publish_list",
    "resolve_articles",
    "save_matter",
]

MANAGE_ROLES = (Role.BODY_HEAD, Role.UNIT_HEAD)

EVENTS = {
    "powers.list_created": "权责清单创建",
    "powers.matter_saved": "权力事项登记变更",
    "powers.list_published": "权责清单发布",
}

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


def _manage_role(actor: User | None, organization: Organization) -> str:
    return role_over(
        actor, organization, "powers.manage", MANAGE_ROLES, "您不能管理该执法主体的权责清单。"
    )


def can_manage(user: User, organization: Organization) -> bool:
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
def create_list(actor: User | None, organization: Organization, year: int, title: str = ""):
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
        actor=actor,
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
def save_matter(
    actor: User | None, power_list: PowerList, code: str, **fields
) -> tuple[Matter, bool]:
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
        actor=actor,
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
def publish_list(actor: User | None, power_list: PowerList) -> PowerList:
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
        actor=actor,
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
def new_draft(actor: User | None, power_list: PowerList) -> PowerList:
    """A new draft version copying a published list's matters (the published one stays)."""
    draft = create_list(actor, power_list.organization, power_list.year, power_list.title)
    for matter in power_list.matters.all():
        articles = list(matter.legal_bases.all())
        matter.pk = None
        matter.power_list = draft
        matter.save()
        matter.legal_bases.set(articles)
    return draft
