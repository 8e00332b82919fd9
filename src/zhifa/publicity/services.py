"""The publication workflow (事后公示) and the other writes of the publicity app.

A decision produces a draft automatically (:func:`draft_from_facts`, called by the case
module's after-decision hook through :func:`draft_for_case`): the text is masked at once and only
the masked text is kept. Then draft → reviewed (:func:`review`) → published (:func:`publish`)
by the deciding body, within 7 working days for penalty and licensing decisions and 20 for the
others. A revoked or changed decision is withdrawn (:func:`withdraw`) within 3 working days of
the revocation, the reason published (行政处罚法第四十八条第二款). Not publishing needs a reason
and the body head's approval by someone other than the requester. Minors' cases are never
published. Every change: permission check, change, ledger entry, one transaction."""

from __future__ import annotations

import datetime
import os
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.utils import timezone

from zhifa.core.calendar import add_working_days
from zhifa.core.masking import find_personal_items, mask_person_name, mask_text
from zhifa.core.models import Organization, Role, User
from zhifa.core.permissions import role_over
from zhifa.laws.segment import segment
from zhifa.ledger.services import record

from .models import (
    BodySnapshot,
    FeedEntry,
    FeedKind,
    PartyKind,
    PubCategory,
    Publication,
    PubStatus,
    Rating,
    Scan,
)
from .stats import penalty_summary

__all__ = [
    "EVENTS",
    "DecisionFacts",
    "approve_not_publish",
    "draft_for_case",
    "draft_from_facts",
    "publish",
    "publish_due",
    "rate_act",
    "record_scan",
    "request_not_publish",
    "retention_years",
    "review",
    "snapshot_body",
    "withdraw",
]

EVENTS = {
    "publicity.drafted": "公示信息生成",
    "publicity.reviewed": "公示信息审核",
    "publicity.published": "公示信息发布",
    "publicity.withdrawn": "公示信息撤回",
    "publicity.not_publish_requested": "申请不予公示",
    "publicity.not_publish_approved": "批准不予公示",
    "publicity.minor_withheld": "未成年人案件不予公示",
    "publicity.profile_changed": "事前公示内容更新",
    "publicity.rated": "执法行为评价",
}

REVIEW_ROLES = (Role.LEGAL_REVIEWER, Role.UNIT_HEAD, Role.BODY_HEAD)
PUBLISH_ROLES = (Role.BODY_HEAD, Role.UNIT_HEAD)
APPROVE_ROLES = (Role.BODY_HEAD,)

# 7 working days for penalty and licensing decisions, 20 for the others.
SHORT_DEADLINE = 7
LONG_DEADLINE = 20
SHORT_DEADLINE_CATEGORIES = frozenset({PubCategory.PENALTY, PubCategory.LICENSING})
# 行政处罚法第四十八条第二款: a revoked or changed decision is withdrawn within 3 working days.
WITHDRAW_DAYS = 3
WITHDRAW_BASIS = (
    "《中华人民共和国行政处罚法》第四十八条第二款：公开的行政处罚决定被依法变更、撤销、确认违法"
    "或者确认无效的，行政机关应当在三日内撤回行政处罚决定信息并公开说明理由。"
)
MINOR_REASON = "当事人为未成年人，依法不予公开。"


@dataclass(frozen=True)
class DecisionFacts:
    """What a decision gives the publication pipeline, whatever module made it."""

    organization: Organization
    source_subject: str  # "case:12"
    category: str  # PubCategory value
    title: str
    document_number: str
    party_name: str
    party_kind: str  # PartyKind value
    conclusion: str
    decided_on: datetime.date
    facts: str = ""
    legal_basis: str = ""
    penalty: str = ""
    party_code: str = ""  # USCC of a legal person / organisation
    party_is_minor: bool = False
    # Other natural persons named in the texts (legal representative, witnesses): masked.
    other_names: tuple[str, ...] = field(default_factory=tuple)


def retention_years(party_kind: str) -> int:
    """How long an item stays on the portal: configurable (settings or environment), by
    default 2 years for natural persons and 5 for the others."""
    natural = getattr(settings, "PUBLICITY_RETENTION_YEARS_NATURAL", None) or int(
        os.environ.get("ZHIFA_PUBLICITY_RETENTION_YEARS_NATURAL", "2")
    )
    other = getattr(settings, "PUBLICITY_RETENTION_YEARS", None) or int(
        os.environ.get("ZHIFA_PUBLICITY_RETENTION_YEARS", "5")
    )
    return natural if party_kind == PartyKind.NATURAL else other


def publish_due(decided_on: datetime.date, category: str) -> datetime.date:
    days = SHORT_DEADLINE if category in SHORT_DEADLINE_CATEGORIES else LONG_DEADLINE
    return add_working_days(decided_on, days).date


def _add_years(d: datetime.date, years: int) -> datetime.date:
    try:
        return d.replace(year=d.year + years)
    except ValueError:  # 29 February
        return d.replace(year=d.year + years, day=28)


def _clean(value: Any, label: str, max_length: int, required: bool = True) -> str:
    text = "" if value is None else str(value).strip()
    if required and not text:
        raise ValidationError(f"请填写{label}。")
    if len(text) > max_length:
        raise ValidationError(f"{label}不能超过{max_length}个字。")
    return text


def _feed_changed() -> None:
    # The portal home is cached under the feed's last id (selectors.feed_version): drop this
    # process's memory of it now and once the transaction commits.
    from .selectors import forget_feed_version

    forget_feed_version()
    transaction.on_commit(forget_feed_version)


def _fts_enabled() -> bool:
    return connection.vendor == "sqlite"


def _index(pub: Publication) -> None:
    if _fts_enabled():
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM publicity_publication_fts WHERE rowid = %s", [pub.pk])
            cursor.execute(
                "INSERT INTO publicity_publication_fts(rowid, segmented) VALUES (%s, %s)",
                [pub.pk, pub.segmented],
            )


def _unindex(pub: Publication) -> None:
    if _fts_enabled():
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM publicity_publication_fts WHERE rowid = %s", [pub.pk])


def search_text(pub: Publication) -> str:
    body = pub.organization.name if pub.organization_id else ""
    parts = [pub.title, pub.document_number, pub.party_display, body, pub.conclusion, pub.facts]
    return segment(" ".join(p for p in parts if p))


@dataclass(frozen=True)
class Masked:
    party_display: str
    conclusion: str
    facts: str
    legal_basis: str
    penalty: str
    counts: dict[str, int]


def mask_decision(facts: DecisionFacts) -> Masked:
    """The texts as the public may see them. A natural person's name becomes 张某 everywhere;
    a legal person's name and code stay; the other individuals named are masked too."""
    names = [n for n in facts.other_names if n]
    if facts.party_kind == PartyKind.NATURAL:
        names.append(facts.party_name)
        party = mask_person_name(facts.party_name)
    else:
        party = facts.party_name.strip()
    counts: Counter[str] = Counter()
    out = {}
    for key in ("conclusion", "facts", "legal_basis", "penalty"):
        text = getattr(facts, key) or ""
        items = find_personal_items(text, names)
        counts.update(i.kind for i in items)
        out[key] = mask_text(text, names)
    return Masked(party, counts=dict(counts), **out)


def _record(actor, role: str, pub: Publication, event: str, payload: dict) -> None:
    record(
        actor=actor,
        role=role,
        organization=pub.organization,
        subject=f"publication:{pub.pk}",
        event_type=event,
        payload={"publication": pub.pk, "source": pub.source_subject, **payload},
    )


def draft_from_facts(actor: User | None, facts: DecisionFacts) -> Publication:
    """The draft of a decision's publication, made automatically when the decision is made (so
    no publicity permission is asked: the decision's own service has checked its actor). A
    second call for the same source returns the existing row. A minor's case is recorded as
    not published, and nothing about the party is kept."""
    existing = Publication.objects.filter(source_subject=facts.source_subject).first()
    if existing is not None:
        return existing
    if facts.category not in PubCategory.values:
        raise ValidationError("决定类别无效。")
    if facts.party_kind not in PartyKind.values:
        raise ValidationError("当事人类型无效。")
    with transaction.atomic():
        base = {
            "organization": facts.organization,
            "source_subject": _clean(facts.source_subject, "来源", 100),
            "category": facts.category,
            "title": _clean(facts.title, "案由", 300),
            "document_number": _clean(facts.document_number, "决定书文号", 64),
            "party_kind": facts.party_kind,
            "decided_on": facts.decided_on,
            "publish_due_on": publish_due(facts.decided_on, facts.category),
        }
        if facts.party_is_minor:
            pub = Publication.objects.create(
                **base,
                status=PubStatus.NOT_PUBLISHED,
                party_display="（未成年人，不予公开）",
                conclusion="",
                not_publish_reason=MINOR_REASON,
                not_publish_approved_at=timezone.now(),
            )
            _record(actor, "system", pub, "publicity.minor_withheld", {"reason": MINOR_REASON})
            return pub
        masked = mask_decision(facts)
        pub = Publication(
            **base,
            party_display=masked.party_display[:200],
            party_code=facts.party_code if facts.party_kind != PartyKind.NATURAL else "",
            conclusion=masked.conclusion,
            facts=masked.facts,
            legal_basis=masked.legal_basis,
            penalty=masked.penalty,
            masked_counts=masked.counts,
        )
        pub.segmented = search_text(pub)
        _summarise(pub)
        pub.save()
        _record(
            actor,
            "system",
            pub,
            "publicity.drafted",
            {"due": pub.publish_due_on.isoformat(), "masked": masked.counts},
        )
        return pub


def _summarise(pub: Publication) -> None:
    """The heaviest penalty type and the fine, for the annual statistics (penalties only)."""
    if pub.category == PubCategory.PENALTY:
        pub.penalty_kind, pub.fine_amount = penalty_summary(pub.penalty or pub.conclusion)
    else:
        pub.penalty_kind, pub.fine_amount = "", 0


def _penalty_text(case) -> str:
    try:
        from zhifa.cases.rules import PENALTY_KINDS

        labels = dict(PENALTY_KINDS)
    except ImportError:
        labels = {}
    penalty = case.decided_penalty or {}
    parts = []
    for kind in penalty.get("kinds", []):
        if kind == "fine" and case.fine_amount:
            parts.append(f"罚款人民币{case.fine_amount}元")
        elif kind == "confiscation" and penalty.get("confiscation") not in (None, "", "0", "0.00"):
            parts.append(f"{labels.get(kind, kind)}（{penalty['confiscation']}元）")
        else:
            parts.append(labels.get(kind, str(kind)))
    return "、".join(parts)


def _minor_on(party, day: datetime.date | None) -> bool:
    # A minor when registered, or still under 18 on the decision day.
    if party.is_minor:
        return True
    born = getattr(party, "birth_date", None)
    return bool(born and day and _add_years(born, 18) > day)


def draft_for_case(case, actor: User | None) -> Publication | None:
    """The after-decision hook of the case module (``zhifa.cases.gates``): the case's decision
    as DecisionFacts. A case without a decision number (an inspection with nothing decided)
    produces nothing."""
    if not getattr(case, "decision_number", ""):
        return None
    parties = list(case.parties.order_by("seq", "id"))
    if not parties:
        return None
    party = parties[0]
    others = [p.legal_representative for p in parties if p.legal_representative]
    others += [p.name for p in parties[1:] if p.kind == PartyKind.NATURAL]
    decision = (case.data or {}).get("decision") or {}
    penalty = _penalty_text(case)
    category = case.category if case.category in PubCategory.values else PubCategory.OTHER
    conclusion = decision.get("conclusion") or (
        f"决定给予{penalty}的行政处罚。" if penalty else f"{case.title}：已作出决定。"
    )
    return draft_from_facts(
        actor,
        DecisionFacts(
            organization=case.organization,
            source_subject=case.subject,
            category=category,
            title=case.title,
            document_number=case.decision_number,
            party_name=party.name,
            party_kind=party.kind,
            party_code=party.id_number if party.kind != PartyKind.NATURAL else "",
            party_is_minor=any(_minor_on(p, case.decided_on) for p in parties),
            conclusion=conclusion,
            facts=decision.get("facts") or case.summary,
            legal_basis=decision.get("basis", ""),
            penalty=penalty,
            decided_on=case.decided_on or timezone.localdate(),
            other_names=tuple(others),
        ),
    )


def _locked(pub: Publication) -> Publication:
    return Publication.objects.select_for_update().select_related("organization").get(pk=pub.pk)


def review(
    actor: User | None,
    pub: Publication,
    *,
    facts: str | None = None,
    legal_basis: str | None = None,
    penalty: str | None = None,
    conclusion: str | None = None,
    extra_names: tuple[str, ...] = (),
) -> Publication:
    """The reviewer checks the masked text, may correct it (edited text is masked again, with
    any names the masking missed), and passes it for publication."""
    with transaction.atomic():
        pub = _locked(pub)
        role = role_over(
            actor,
            pub.organization,
            "publicity.review",
            REVIEW_ROLES,
            "只有本主体的审核人员可审核。",
        )
        if pub.status != PubStatus.DRAFT:
            raise ValidationError("只有待审核的公示信息可以审核。")
        names = [n.strip() for n in extra_names if n and n.strip()]
        changed = []
        for key, value in (
            ("facts", facts),
            ("legal_basis", legal_basis),
            ("penalty", penalty),
            ("conclusion", conclusion),
        ):
            if value is None and not names:
                continue
            text = (
                getattr(pub, key)
                if value is None
                else _clean(value, key, 20000, key == "conclusion")
            )
            new = mask_text(text, names)
            if new != getattr(pub, key):
                setattr(pub, key, new)
                changed.append(key)
        pub.status = PubStatus.REVIEWED
        pub.reviewed_at = timezone.now()
        pub.reviewed_by = actor
        pub.segmented = search_text(pub)
        _summarise(pub)
        pub.save()
        _record(actor, role, pub, "publicity.reviewed", {"changed": changed})
        return pub


def publish(actor: User | None, pub: Publication) -> Publication:
    """Publish a reviewed item: by the deciding body only. Late publication is allowed (better
    late than never) and the ledger says it was late."""
    with transaction.atomic():
        pub = _locked(pub)
        role = role_over(
            actor,
            pub.organization,
            "publicity.publish",
            PUBLISH_ROLES,
            "只有作出决定的执法主体负责人可发布。",
        )
        if pub.status != PubStatus.REVIEWED:
            raise ValidationError("公示信息须经审核后才能发布。")
        now = timezone.now()
        today = timezone.localdate()
        pub.status = PubStatus.PUBLISHED
        pub.published_at = now
        pub.published_by = actor
        pub.retain_until = _add_years(today, retention_years(pub.party_kind))
        pub.save()
        _index(pub)
        FeedEntry.objects.create(publication=pub, kind=FeedKind.PUBLISHED, at=now)
        _feed_changed()
        _record(
            actor,
            role,
            pub,
            "publicity.published",
            {
                "late": today > pub.publish_due_on,
                "due": pub.publish_due_on.isoformat(),
                "retain_until": pub.retain_until.isoformat(),
            },
        )
        return pub


def withdraw(
    actor: User | None,
    pub: Publication,
    reason: str,
    revoked_on: datetime.date | None = None,
) -> Publication:
    """Take a published decision off the portal because it was revoked or changed; the reason
    is published. The 3-working-day limit runs from `revoked_on` (default today); a late
    withdrawal still happens and is recorded as late."""
    reason = _clean(reason, "撤回理由", 300)
    if len(reason) < 4:
        raise ValidationError("请写明撤回理由（至少4个字）。")
    with transaction.atomic():
        pub = _locked(pub)
        role = role_over(
            actor,
            pub.organization,
            "publicity.publish",
            PUBLISH_ROLES,
            "只有作出决定的执法主体负责人可撤回。",
        )
        if pub.status != PubStatus.PUBLISHED:
            raise ValidationError("只有已公示的信息可以撤回。")
        today = timezone.localdate()
        revoked_on = revoked_on or today
        if revoked_on > today:
            raise ValidationError("撤销或变更日期不能晚于今天。")
        now = timezone.now()
        pub.status = PubStatus.WITHDRAWN
        pub.revoked_on = revoked_on
        pub.withdraw_due_on = add_working_days(revoked_on, WITHDRAW_DAYS).date
        pub.withdrawn_at = now
        pub.withdrawal_reason = reason
        pub.save()
        _unindex(pub)
        FeedEntry.objects.create(publication=pub, kind=FeedKind.WITHDRAWN, at=now)
        _feed_changed()
        _record(
            actor,
            role,
            pub,
            "publicity.withdrawn",
            {
                "reason": reason,
                "revoked_on": revoked_on.isoformat(),
                "late": today > pub.withdraw_due_on,
            },
        )
        return pub


def request_not_publish(actor: User | None, pub: Publication, reason: str) -> Publication:
    reason = _clean(reason, "不予公示理由", 300)
    if len(reason) < 4:
        raise ValidationError("请写明不予公示的理由（至少4个字）。")
    with transaction.atomic():
        pub = _locked(pub)
        role = role_over(
            actor,
            pub.organization,
            "publicity.review",
            REVIEW_ROLES,
            "只有本主体的审核人员可申请。",
        )
        if pub.status not in (PubStatus.DRAFT, PubStatus.REVIEWED):
            raise ValidationError("只有未发布的公示信息可以申请不予公示。")
        pub.not_publish_reason = reason
        pub.not_publish_requested_by = actor
        pub.save()
        _record(actor, role, pub, "publicity.not_publish_requested", {"reason": reason})
        return pub


def approve_not_publish(actor: User | None, pub: Publication) -> Publication:
    """The body head approves a request not to publish; not the person who asked."""
    with transaction.atomic():
        pub = _locked(pub)
        role = role_over(
            actor,
            pub.organization,
            "publicity.approve",
            APPROVE_ROLES,
            "不予公示须经本主体主要负责人批准。",
        )
        if pub.status not in (PubStatus.DRAFT, PubStatus.REVIEWED) or not pub.not_publish_reason:
            raise ValidationError("没有待批准的不予公示申请。")
        if actor is not None and pub.not_publish_requested_by_id == actor.pk:
            raise PermissionDenied("申请人不能批准自己的不予公示申请。")
        pub.status = PubStatus.NOT_PUBLISHED
        pub.not_publish_approved_by = actor
        pub.not_publish_approved_at = timezone.now()
        pub.save()
        _record(
            actor, role, pub, "publicity.not_publish_approved", {"reason": pub.not_publish_reason}
        )
        return pub


def snapshot_body(organization: Organization, content: dict, digest: str) -> BodySnapshot | None:
    """Keep a version of a body's public profile when it differs from the latest one (the page
    itself is always built from the live registry; this row is its history)."""
    latest = BodySnapshot.objects.filter(organization=organization).order_by("-id").first()
    if latest is not None and latest.digest == digest:
        return None
    changed = sorted(
        k for k in content if latest is None or latest.content.get(k) != content.get(k)
    )
    with transaction.atomic():
        if BodySnapshot.objects.filter(organization=organization, digest=digest).exists():
            # The profile went back to an earlier state: a new row would break uniqueness, and
            # the earlier row already holds this content; record the change only.
            snap = None
        else:
            snap = BodySnapshot.objects.create(
                organization=organization,
                digest=digest,
                content=content,
                changed=changed,
                taken_at=timezone.now(),
            )
        record(
            actor=None,
            role="system",
            organization=organization,
            subject=f"org:{organization.pk}",
            event_type="publicity.profile_changed",
            payload={"digest": digest, "changed": changed},
        )
    return snap


def record_scan(
    kind: str,
    *,
    valid: bool,
    officer=None,
    case=None,
    certificate_valid: bool = False,
    user_agent: str = "",
) -> Scan:
    """Log a QR scan (a public read: no ledger entry, the log is the record)."""
    return Scan.objects.create(
        kind=kind,
        officer=officer,
        case=case,
        valid=valid,
        certificate_valid=certificate_valid,
        at=timezone.now(),
        user_agent=user_agent[:200],
    )


def rate_act(case, score: Any, comment: str = "") -> Rating:
    """The party's rating of an inspection or act, once per case."""
    try:
        score = int(score)
    except (TypeError, ValueError):
        raise ValidationError("请选择 1 到 5 分的评价。") from None
    if not 1 <= score <= 5:
        raise ValidationError("请选择 1 到 5 分的评价。")
    comment = _clean(comment, "意见", 300, required=False)
    with transaction.atomic():
        if Rating.objects.select_for_update().filter(case=case).exists():
            raise ValidationError("本次执法已评价过，感谢您的反馈。")
        rating = Rating.objects.create(case=case, score=score, comment=comment, at=timezone.now())
        record(
            actor="public:rating",
            role="public",
            organization=case.organization,
            subject=case.subject,
            event_type="publicity.rated",
            payload={"score": score, "has_comment": bool(comment)},
        )
        return rating
