"""The major-decision catalogue (重大执法决定目录清单): the default rules, the facts of a case
they are judged on, and `evaluate(case)`.

The default catalogue follows 《中华人民共和国行政处罚法》第五十八条 (public interest; major
rights with a hearing held; difficult or several legal relationships; other cases by law) and
the hearing triggers of 第六十三条 (较大数额罚款 and 没收, 降低资质等级、吊销许可证件,
责令停产停业、责令关闭、限制从业). "较大数额" is set per field and province, so the amounts are
editable per body: the defaults (2,000 yuan natural person, 10,000 organisation) are the common
公安 thresholds (DOMAIN.md R-17). A body without a catalogue of its own is judged against these
defaults (reported as version 0)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace
from decimal import Decimal, InvalidOperation
from typing import Any

from .models import CatalogueRule, CatalogueVersion, Determination, PartyScope, RuleKind

XZCF = "《中华人民共和国行政处罚法》"
ART58 = XZCF + "第五十八条第一款"
ART63 = XZCF + "第六十三条第一款"
ART57 = XZCF + "第五十七条第二款"

# Penalty kinds (行政处罚法第九条) with the codes of zhifa.cases.rules.PENALTY_KINDS, code →
# label. Case data may carry either.
PENALTY_KINDS: dict[str, str] = {
    "warning": "警告",
    "criticism": "通报批评",
    "fine": "罚款",
    "confiscation": "没收违法所得、没收非法财物",
    "suspend_licence": "暂扣许可证件",
    "lower_qualification": "降低资质等级",
    "revoke_licence": "吊销许可证件",
    "restrict_business": "限制开展生产经营活动",
    "stop_business": "责令停产停业",
    "close": "责令关闭",
    "restrict_practice": "限制从业",
}

CATEGORIES = {"penalty": "行政处罚", "coercion": "行政强制", "licensing": "行政许可"}

DEFAULT_RULES: list[dict[str, Any]] = [
    {
        "kind": RuleKind.PUBLIC_INTEREST,
        "label": "涉及重大公共利益的",
        "basis": ART58 + "第（一）项",
    },
    {
        "kind": RuleKind.HEARING,
        "label": "直接关系当事人或者第三人重大权益，经过听证程序的",
        "basis": ART58 + "第（二）项",
    },
    {
        "kind": RuleKind.COMPLEX,
        "label": "案件情况疑难复杂、涉及多个法律关系的",
        "basis": ART58 + "第（三）项；情节复杂的须集体讨论（" + ART57 + "）",
        "requires_deliberation": True,
    },
    {
        "kind": RuleKind.OTHER,
        "label": "法律、法规规定应当进行法制审核的其他情形",
        "basis": ART58 + "第（四）项",
    },
    {
        "kind": RuleKind.PENALTY_KIND,
        "label": "拟降低资质等级、吊销许可证件的",
        "categories": ["penalty"],
        "penalty_kinds": ["lower_qualification", "revoke_licence"],
        "basis": ART63 + "第（三）项",
    },
    {
        "kind": RuleKind.PENALTY_KIND,
        "label": "拟责令停产停业、责令关闭、限制从业的",
        "categories": ["penalty"],
        "penalty_kinds": ["stop_business", "close", "restrict_practice"],
        "basis": ART63 + "第（四）项",
    },
    {
        "kind": RuleKind.FINE,
        "label": "对自然人处较大数额罚款的",
        "categories": ["penalty"],
        "party_scope": PartyScope.NATURAL,
        "threshold": Decimal("2000"),
        "basis": ART63 + "第（一）项",
    },
    {
        "kind": RuleKind.FINE,
        "label": "对法人或者其他组织处较大数额罚款的",
        "categories": ["penalty"],
        "party_scope": PartyScope.ORGANISATION,
        "threshold": Decimal("10000"),
        "basis": ART63 + "第（一）项",
    },
    {
        "kind": RuleKind.CONFISCATION,
        "label": "对自然人没收较大数额违法所得、较大价值非法财物的",
        "categories": ["penalty"],
        "party_scope": PartyScope.NATURAL,
        "threshold": Decimal("2000"),
        "basis": ART63 + "第（二）项",
    },
    {
        "kind": RuleKind.CONFISCATION,
        "label": "对法人或者其他组织没收较大数额违法所得、较大价值非法财物的",
        "categories": ["penalty"],
        "party_scope": PartyScope.ORGANISATION,
        "threshold": Decimal("10000"),
        "basis": ART63 + "第（二）项",
    },
]


@dataclass(frozen=True)
class RuleSpec:
    """A catalogue rule, from the database or the defaults: what `matches` reads."""

    kind: str
    label: str
    categories: tuple[str, ...] = ()
    matter_codes: tuple[str, ...] = ()
    penalty_kinds: tuple[str, ...] = ()
    party_scope: str = ""
    threshold: Decimal | None = None
    basis: str = ""
    requires_deliberation: bool = False

    @classmethod
    def from_row(cls, row: CatalogueRule) -> RuleSpec:
        return cls(
            kind=row.kind,
            label=row.label,
            categories=tuple(row.categories or ()),
            matter_codes=tuple(row.matter_codes or ()),
            penalty_kinds=tuple(row.penalty_kinds or ()),
            party_scope=row.party_scope,
            threshold=row.threshold,
            basis=row.basis,
            requires_deliberation=row.requires_deliberation,
        )

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> RuleSpec:
        return cls(
            kind=str(data["kind"]),
            label=data["label"],
            categories=tuple(data.get("categories", ())),
            matter_codes=tuple(data.get("matter_codes", ())),
            penalty_kinds=tuple(data.get("penalty_kinds", ())),
            party_scope=str(data.get("party_scope", "")),
            threshold=data.get("threshold"),
            basis=data.get("basis", ""),
            requires_deliberation=bool(data.get("requires_deliberation", False)),
        )


DEFAULT_SPECS: tuple[RuleSpec, ...] = tuple(RuleSpec.from_dict(r) for r in DEFAULT_RULES)


@dataclass
class CaseFacts:
    """What the catalogue judges. Circumstances (public interest, complexity, other basis) are
    declared by the handler; the rest is read from the case."""

    category: str
    matter_code: str
    party_kinds: list[str] = field(default_factory=list)  # "natural" / "organisation"
    penalty_kinds: list[str] = field(default_factory=list)
    fine: Decimal = Decimal(0)
    confiscation: Decimal = Decimal(0)
    hearing_held: bool = False
    public_interest: bool = False
    complex: bool = False
    several_relations: bool = False
    other_basis: str = ""

    def as_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["fine"] = str(self.fine)
        data["confiscation"] = str(self.confiscation)
        return data


CIRCUMSTANCES = ("public_interest", "complex", "several_relations", "other_basis")


def _amount(value: Any) -> Decimal:
    try:
        amount = Decimal(str(value)) if value not in (None, "") else Decimal(0)
    except (InvalidOperation, ValueError):
        return Decimal(0)
    return amount if amount.is_finite() else Decimal(0)


def _kind_codes(values: Any) -> list[str]:
    """Kinds given as codes or as their Chinese labels."""
    if isinstance(values, str):
        values = [values]
    by_label = {label: code for code, label in PENALTY_KINDS.items()}
    codes: list[str] = []
    for value in values or ():
        code = str(value) if str(value) in PENALTY_KINDS else by_label.get(str(value))
        if code and code not in codes:
            codes.append(code)
    return codes


def proposed_penalty(case) -> dict[str, Any]:
    """The penalty the decision would impose: as decided, else as notified, else as proposed
    in the case data (负责人审查)."""
    for source in (case.decided_penalty, case.notified_penalty, case.data.get("proposed_penalty")):
        if source:
            return dict(source)
    return {}


def facts_of(case, circumstances: dict[str, Any] | None = None) -> CaseFacts:
    penalty = proposed_penalty(case)
    fine = _amount(penalty.get("fine"))
    if not fine and case.fine_amount:
        fine = _amount(case.fine_amount)
    party_kinds = sorted(
        {"natural" if kind == "natural" else "organisation" for kind in _party_kinds(case)}
    )
    data = case.data or {}
    given = {**{k: data.get(k) for k in CIRCUMSTANCES}, **(circumstances or {})}
    return CaseFacts(
        category=case.category,
        matter_code=case.matter.code if case.matter_id else "",
        party_kinds=party_kinds,
        penalty_kinds=_kind_codes(penalty.get("kinds")),
        fine=fine,
        confiscation=_amount(penalty.get("confiscation")),
        hearing_held=_hearing_held(case),
        public_interest=bool(given.get("public_interest")),
        complex=bool(given.get("complex")),
        several_relations=bool(given.get("several_relations")),
        other_basis=str(given.get("other_basis") or "").strip(),
    )


def _party_kinds(case) -> list[str]:
    if case.pk is None:
        return []
    return list(case.parties.values_list("kind", flat=True))


def _hearing_held(case) -> bool:
    data = case.data or {}
    # The penalty procedure keeps {"hearing": {"held": true, ...}} once the hearing took place.
    if data.get("hearing_held") or (data.get("hearing") or {}).get("held"):
        return True
    if case.pk is None:
        return False
    return case.records.filter(kind="hearing").exists()


def matches(rule: RuleSpec, facts: CaseFacts) -> bool:
    if rule.categories and facts.category not in rule.categories:
        return False
    scope_ok = not rule.party_scope or rule.party_scope in facts.party_kinds
    if rule.kind == RuleKind.CATEGORY:
        return bool(rule.categories)
    if rule.kind == RuleKind.MATTER:
        return facts.matter_code in rule.matter_codes
    if rule.kind == RuleKind.PENALTY_KIND:
        return bool(set(rule.penalty_kinds) & set(facts.penalty_kinds))
    if rule.kind == RuleKind.FINE:
        return scope_ok and rule.threshold is not None and facts.fine >= rule.threshold > 0
    if rule.kind == RuleKind.CONFISCATION:
        return scope_ok and rule.threshold is not None and facts.confiscation >= rule.threshold > 0
    if rule.kind == RuleKind.HEARING:
        return facts.hearing_held
    if rule.kind == RuleKind.COMPLEX:
        return facts.complex or facts.several_relations
    if rule.kind == RuleKind.PUBLIC_INTEREST:
        return facts.public_interest
    if rule.kind == RuleKind.OTHER:
        return bool(facts.other_basis)
    return False


def catalogue_in_force(organization) -> CatalogueVersion | None:
    return (
        CatalogueVersion.objects.filter(organization=organization)
        .order_by("-version")
        .prefetch_related("rules")
        .first()
    )


def rules_of(catalogue: CatalogueVersion | None) -> tuple[RuleSpec, ...]:
    if catalogue is None:
        return DEFAULT_SPECS
    return tuple(RuleSpec.from_row(r) for r in catalogue.rules.all())


_IN_FORCE = object()


def evaluate(
    case, circumstances: dict[str, Any] | None = None, catalogue: Any = _IN_FORCE
) -> Determination:
    """Judge the case against the catalogue in force for its body (or the given version; None
    = the default catalogue). Returns an unsaved Determination: `major`, `reasons` (the matched
    rules as they read now), the catalogue version (0 = the default catalogue) and whether
    collective deliberation is required."""
    if catalogue is _IN_FORCE:
        catalogue = catalogue_in_force(case.organization_id)
    facts = facts_of(case, circumstances)
    reasons = []
    deliberation = False
    for rule in rules_of(catalogue):
        if matches(rule, facts):
            reason = {"label": rule.label, "basis": rule.basis, "kind": rule.kind}
            if rule.kind == RuleKind.OTHER and facts.other_basis:
                reason["detail"] = facts.other_basis
            reasons.append(reason)
            deliberation = deliberation or rule.requires_deliberation
    return Determination(
        case=case,
        organization_id=case.organization_id,
        major=bool(reasons),
        requires_deliberation=deliberation,
        reasons=reasons,
        facts=facts.as_json(),
        catalogue=catalogue,
        catalogue_version=catalogue.version if catalogue else 0,
    )


HEARING_ARTICLE = "第六十三条"


def hearing_threshold(case, penalty: dict[str, Any]) -> list[str]:
    """Why ``penalty`` (as proposed, ``cases.rules.penalty_of``) carries the right to a hearing
    by its amount: the FINE and CONFISCATION rules of the body's catalogue in force (else the
    defaults) that rest on 第六十三条 (their basis names it: a fine rule made for the review
    catalogue on another ground sets no 较大数额), judged by the same ``matches`` as
    ``evaluate``. Registered with ``cases.gates.register_hearing_threshold``."""
    catalogue = catalogue_in_force(case.organization_id)
    kinds = _kind_codes(penalty.get("kinds"))
    facts = replace(
        facts_of(case),
        penalty_kinds=kinds,
        fine=_amount(penalty.get("fine")) if "fine" in kinds else Decimal(0),
        confiscation=_amount(penalty.get("confiscation")),
    )
    version = f"第{catalogue.version}版目录清单" if catalogue else "默认目录清单"
    reasons = []
    for rule in rules_of(catalogue):
        if rule.kind not in (RuleKind.FINE, RuleKind.CONFISCATION):
            continue
        if HEARING_ARTICLE not in rule.basis or not matches(rule, facts):
            continue
        if rule.kind == RuleKind.FINE:
            proposed = f"拟罚款{facts.fine}元"
        else:
            proposed = f"拟没收{facts.confiscation}元"
        reasons.append(
            f"“{rule.label}”（{version}：{rule.threshold}元以上，{proposed}；{rule.basis}）"
        )
    return reasons


def describe(determination: Determination) -> str:
    """One line: 重大 / 非重大 and why, against which catalogue version."""
    version = (
        f"第{determination.catalogue_version}版目录清单"
        if determination.catalogue_version
        else "默认目录清单"
    )
    if not determination.major:
        return f"依据{version}，本案不属于重大执法决定。"
    why = "；".join(r["label"] for r in determination.reasons)
    return f"依据{version}，本案属于重大执法决定：{why}。"
