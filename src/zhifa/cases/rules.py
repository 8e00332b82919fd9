"""Rules of law for case handling, data and code in one place. Each has a test that breaks it
(``tests/test_rules_*.py``). Refusals quote the article (text from ../shared/data/laws).

* 执法人员: at least two officers with valid certificates covering the matter's field on every
  investigation, inspection and coercive act (行政处罚法第四十二条, 行政强制法第十八条).
  Certificate mapping: an officer's 行政执法证 lists 执法类别 (``certificate_categories``).
  ``综合行政执法`` covers every matter of the officer's own body (a township's comprehensive
  enforcement team); otherwise the certificate must list the matter's field, derived from the
  law the matter's basis cites (``FIELD_BY_LAW``: 城乡规划法 → 乡村建设规划, 森林法 → 林业草原 ...).
  A matter whose law is not in the map is covered by any certificate of the body. An officer of
  another body, suspended/revoked/retired, with an expired certificate, or recused never counts.
* 回避 (第四十三条): a recused officer neither counts nor acts on the case.
* 追责时效 (第三十六条): 2 years from the act (or the end of a continuing act), 5 years when
  citizens' life, health or financial safety is involved with harmful consequences.
* 简易程序 (第五十一条): a warning, or a fine of at most 200 yuan (citizen) / 3,000 yuan (legal
  person or other organisation).
* 不得因陈述申辩加重 (第四十五条第二款): the decision may not be heavier than the notified
  penalty (no kind that was not notified, no higher fine or confiscation).
* 一事不二罚 (第二十九条): key = (party's ID number or USCC — the name when there is none, the
  matter's name, the date of the act). A second fine decision for a party and key already fined
  in another case is refused.
* 未成年人 (第三十条): no penalty for a party under 14 at the time of the act (minors are
  flagged at registration from the birth date in the ID number).
* 工作日 (第八十五条): the 2/3/5/7-day periods count working days (``deadlines.py``).
"""

from __future__ import annotations

import datetime
import re
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from stdnum.cn import ric

from zhifa.core.validators import validate_citizen_id, validate_uscc

__all__ = [
    "COMPREHENSIVE",
    "FIELD_BY_LAW",
    "PENALTY_KINDS",
    "act_keys",
    "check_heavier",
    "check_limitation",
    "check_minor",
    "check_officers",
    "check_simplified_amount",
    "clean_party",
    "double_fine",
    "matter_field",
    "officer_problem",
    "qualified_officers",
]

# ---------------------------------------------------------------- 执法人员

COMPREHENSIVE = "综合行政执法"
FIELD_BY_LAW = {
    "城乡规划法": "乡村建设规划",
    "土地管理法": "自然资源",
    "森林法": "林业草原",
    "草原法": "林业草原",
    "消防法": "消防安全",
    "安全生产法": "应急管理",
    "大气污染防治法": "生态环境",
    "噪声污染防治法": "生态环境",
    "固体废物污染环境防治法": "生态环境",
    "水污染防治法": "生态环境",
    "环境保护法": "生态环境",
    "动物防疫法": "农业农村",
    "畜牧法": "农业农村",
    "农产品质量安全法": "农业农村",
    "文物保护法": "文化旅游",
    "食品安全法": "市场监管",
    "产品质量法": "市场监管",
    "价格法": "市场监管",
    "广告法": "市场监管",
}
_LAW_NAME = re.compile(r"《(?:中华人民共和国)?([^》]+)》")

OFFICERS_BASIS = (
    "依据《中华人民共和国行政处罚法》第四十二条，“行政处罚应当由具有行政执法资格的执法人员实施。"
    "执法人员不得少于两人”"
)
MIN_OFFICERS = 2
MEASURE_OFFICERS_BASIS = (
    "；《中华人民共和国行政强制法》第十八条第二项，行政强制措施“由两名以上行政执法人员实施”"
)


def matter_field(matter: Any) -> str | None:
    """The enforcement field of a matter, from the first law its basis cites."""
    for name in _LAW_NAME.findall(matter.basis_text or ""):
        if name in FIELD_BY_LAW:
            return FIELD_BY_LAW[name]
    return None


def officer_problem(officer: Any, case: Any, today: datetime.date) -> str | None:
    """Why this officer may not act on the case today, or None."""
    from zhifa.registry.models import OfficerStatus

    if officer.body.organization_id != case.organization_id:
        return f"{officer.name}不是本执法主体的执法人员"
    if officer.status != OfficerStatus.ACTIVE:
        return f"{officer.name}的状态为“{officer.get_status_display()}”"
    if officer.certificate_expires_on < today:
        return f"{officer.name}的行政执法证已于{officer.certificate_expires_on:%Y年%m月%d日}过期"
    categories = set(officer.certificate_categories or [])
    field = matter_field(case.matter)
    if COMPREHENSIVE not in categories and not (
        categories and (field is None or field in categories)
    ):
        wanted = field or "相应执法类别"
        return f"{officer.name}的行政执法证执法类别不含“{wanted}”"
    return None


def qualified_officers(case: Any, today: datetime.date) -> list[Any]:
    """Assigned, not recused officers who may act on the case today."""
    rows = case.case_officers.filter(recused=False).select_related("officer__body")
    return [r.officer for r in rows if officer_problem(r.officer, case, today) is None]


def check_officers(
    case: Any, today: datetime.date, minimum: int = MIN_OFFICERS, basis: str = ""
) -> str | None:
    """None when at least `minimum` assigned officers may act; else the refusal, naming who
    does not count and why (`basis`: a further article to cite, e.g. for a coercive measure)."""
    rows = list(case.case_officers.select_related("officer__body"))
    problems = []
    count = 0
    for row in rows:
        if row.recused:
            problems.append(f"{row.officer.name}已回避")
            continue
        problem = officer_problem(row.officer, case, today)
        if problem:
            problems.append(problem)
        else:
            count += 1
    if count >= minimum:
        return None
    detail = f"（{'；'.join(problems)}）" if problems else ""
    return (
        f"{OFFICERS_BASIS}{basis}。本案符合条件的承办人员只有{count}名{detail}，"
        f"请先指派至少{minimum}名持有效执法证的执法人员。"
    )


# ---------------------------------------------------------------- 追责时效（第三十六条）

LIMITATION_BASIS = (
    "《中华人民共和国行政处罚法》第三十六条：“违法行为在二年内未被发现的，不再给予行政处罚；"
    "涉及公民生命健康安全、金融安全且有危害后果的，上述期限延长至五年。”"
)


def _add_years(d: datetime.date, years: int) -> datetime.date:
    try:
        return d.replace(year=d.year + years)
    except ValueError:  # 29 February
        return d.replace(year=d.year + years, day=28)


def check_limitation(
    occurred_on: datetime.date | None,
    continuing_until: datetime.date | None,
    discovered_on: datetime.date | None,
    *,
    extended: bool = False,
) -> str | None:
    """The act must be discovered within 2 (or 5) years of the act or of the end of a
    continuing act. Without a discovery date, the filing day is taken (the caller passes it)."""
    start = continuing_until or occurred_on
    if start is None or discovered_on is None:
        return None
    if discovered_on < start:
        return "发现日期不能早于违法行为发生（或终了）日期。"
    years = 5 if extended else 2
    if discovered_on > _add_years(start, years):
        return (
            f"违法行为自{start:%Y年%m月%d日}起{years}年内未被发现，已超过追责时效，不得立案处罚。"
            f"依据{LIMITATION_BASIS}"
        )
    return None


# ---------------------------------------------------------------- 处罚内容

PENALTY_KINDS = (
    ("warning", "警告"),
    ("criticism", "通报批评"),
    ("fine", "罚款"),
    ("confiscation", "没收违法所得、没收非法财物"),
    ("suspend_licence", "暂扣许可证件"),
    ("lower_qualification", "降低资质等级"),
    ("revoke_licence", "吊销许可证件"),
    ("restrict_business", "限制开展生产经营活动"),
    ("stop_business", "责令停产停业"),
    ("close", "责令关闭"),
    ("restrict_practice", "限制从业"),
)
PENALTY_LABELS = dict(PENALTY_KINDS)


def money(value: Any, label: str) -> Decimal:
    if value in (None, ""):
        return Decimal("0")
    try:
        amount = Decimal(str(value).replace(",", "").strip())
    except InvalidOperation:
        raise ValidationError(f"{label}格式错误，请填写数字（元）。") from None
    if not amount.is_finite() or amount < 0:
        raise ValidationError(f"{label}不能为负数。")
    if amount > Decimal("999999999999"):
        raise ValidationError(f"{label}过大。")
    return amount.quantize(Decimal("0.01"))


def penalty_of(data: dict) -> dict:
    """{"kinds": [...], "fine": "…", "confiscation": "…"} from a form's data."""
    kinds = data.get("kinds") or []
    if isinstance(kinds, str):
        kinds = [kinds]
    unknown = [k for k in kinds if k not in PENALTY_LABELS]
    if unknown:
        raise ValidationError(f"未知的处罚种类：{'、'.join(unknown)}")
    if not kinds:
        raise ValidationError("请选择处罚种类。")
    fine = money(data.get("fine"), "罚款金额")
    confiscation = money(data.get("confiscation"), "没收金额")
    if "fine" in kinds and fine <= 0:
        raise ValidationError("处罚种类含罚款时，请填写罚款金额。")
    if "fine" not in kinds and fine > 0:
        raise ValidationError("填写了罚款金额，但处罚种类未选择罚款。")
    ordered = [k for k, _ in PENALTY_KINDS if k in kinds]
    return {"kinds": ordered, "fine": str(fine), "confiscation": str(confiscation)}


HEAVIER_BASIS = (
    "依据《中华人民共和国行政处罚法》第四十五条第二款，"
    "“行政机关不得因当事人陈述、申辩而给予更重的处罚”"
)


def check_heavier(notified: dict, decided: dict) -> str | None:
    """The decision may not add a kind or raise an amount beyond what was notified."""
    if not notified:
        return None
    added = [k for k in decided.get("kinds", []) if k not in notified.get("kinds", [])]
    if added:
        names = "、".join(PENALTY_LABELS.get(k, k) for k in added)
        return f"{HEAVIER_BASIS}。拟决定的处罚增加了告知时没有的“{names}”，如需加重应当重新告知。"
    for key, label in (("fine", "罚款"), ("confiscation", "没收金额")):
        if Decimal(decided.get(key) or "0") > Decimal(notified.get(key) or "0"):
            return (
                f"{HEAVIER_BASIS}。拟决定的{label}{decided.get(key)}元高于告知的"
                f"{notified.get(key) or '0'}元，如需加重应当重新告知。"
            )
    return None


SIMPLIFIED_BASIS = (
    "依据《中华人民共和国行政处罚法》第五十一条，“违法事实确凿并有法定依据，对公民处以二百元以下、"
    "对法人或者其他组织处以三千元以下罚款或者警告的行政处罚的，可以当场作出行政处罚决定”"
)
SIMPLIFIED_KINDS = ("warning", "fine")
NATURAL_LIMIT = Decimal("200")
ORGANISATION_LIMIT = Decimal("3000")


def check_simplified_amount(penalty: dict, party_kinds: list[str]) -> str | None:
    extra = [k for k in penalty.get("kinds", []) if k not in SIMPLIFIED_KINDS]
    if extra:
        names = "、".join(PENALTY_LABELS.get(k, k) for k in extra)
        return (
            f"{SIMPLIFIED_BASIS}。简易程序只适用于警告或者罚款，不能当场决定“{names}”，"
            "请适用普通程序。"
        )
    fine = Decimal(penalty.get("fine") or "0")
    limit = NATURAL_LIMIT if "natural" in party_kinds else ORGANISATION_LIMIT
    if fine > limit:
        who = "公民" if limit == NATURAL_LIMIT else "法人或者其他组织"
        return (
            f"{SIMPLIFIED_BASIS}。对{who}当场罚款不得超过{limit:.0f}元（本次{fine}元），"
            "请适用普通程序。"
        )
    return None


# ---------------------------------------------------------------- 一事不二罚（第二十九条）

DOUBLE_FINE_BASIS = (
    "依据《中华人民共和国行政处罚法》第二十九条，"
    "“对当事人的同一个违法行为，不得给予两次以上罚款的行政处罚”"
)


def act_keys(case: Any) -> set[tuple[str, str, str]]:
    """(party identity, matter name, date of the act) for each party of the case."""
    act_date = case.occurred_on.isoformat() if case.occurred_on else ""
    keys = set()
    for party in case.parties.all():
        keys.add((party.id_number or f"名称:{party.name}", case.matter.name, act_date))
    return keys


def double_fine(case: Any) -> str | None:
    """Refuse a fine when another case already fined a party of this case for the same act."""
    from .models import Case, Party

    if not case.occurred_on:
        return None
    keys = act_keys(case)
    ids = [k[0] for k in keys if not k[0].startswith("名称:")]
    names = [k[0][3:] for k in keys if k[0].startswith("名称:")]
    others = (
        Party.objects.filter(
            case__fine_amount__gt=0,
            case__occurred_on=case.occurred_on,
            case__matter__name=case.matter.name,
        )
        .exclude(case=case)
        .select_related("case")
    )
    for party in others.filter(id_number__in=ids) | others.filter(id_number="", name__in=names):
        other: Case = party.case
        return (
            f"{DOUBLE_FINE_BASIS}。当事人{party.name}的同一违法行为（{case.matter.name}，"
            f"{case.occurred_on:%Y年%m月%d日}）已在案件{other.number}中被处以罚款"
            f"（{other.decision_number or '已决定'}），不得再次罚款。"
        )
    return None


# ---------------------------------------------------------------- 未成年人（第三十条）

MINOR_BASIS = (
    "依据《中华人民共和国行政处罚法》第三十条，“不满十四周岁的未成年人有违法行为的，不予行政处罚，"
    "责令监护人加以管教”"
)


def check_minor(case: Any, today: datetime.date) -> str | None:
    """Refuse a penalty on a party under 14 on the day of the act (or today without one)."""
    act = case.occurred_on or today
    for party in case.parties.filter(birth_date__isnull=False):
        if _add_years(party.birth_date, 14) > act:
            return f"{MINOR_BASIS}。当事人{party.name}违法行为发生时不满十四周岁。"
    return None


# ---------------------------------------------------------------- 当事人


def clean_party(raw: dict, today: datetime.date) -> dict:
    """Validate one party: ID number for a citizen (minor flagged from the birth date in it),
    USCC for a legal person; an other organisation may have none (个体工商户 without a code)."""
    from .models import PartyKind

    kind = raw.get("kind")
    if kind not in PartyKind.values:
        raise ValidationError("请选择当事人类型（自然人、法人或其他组织）。")
    name = (raw.get("name") or "").strip()
    if not name:
        raise ValidationError("请填写当事人姓名或名称。")
    if len(name) > 200:
        raise ValidationError("当事人姓名或名称过长。")
    number = (raw.get("id_number") or "").strip()
    out = {
        "kind": kind,
        "name": name,
        "legal_representative": (raw.get("legal_representative") or "").strip()[:64],
        "address": (raw.get("address") or "").strip()[:300],
        "phone": (raw.get("phone") or "").strip()[:32],
        "id_number": "",
        "birth_date": None,
        "is_minor": False,
    }
    if kind == PartyKind.NATURAL:
        if not number:
            raise ValidationError(f"请填写当事人{name}的公民身份号码。")
        try:
            number = validate_citizen_id(number)
        except ValidationError as e:
            raise ValidationError(f"当事人{name}：{e.messages[0]}") from None
        born = ric.get_birth_date(number)
        out["birth_date"] = born
        out["is_minor"] = born is not None and _add_years(born, 18) > today
    elif number or kind == PartyKind.LEGAL:
        if not number:
            raise ValidationError(f"请填写{name}的统一社会信用代码。")
        try:
            number = validate_uscc(number)
        except ValidationError as e:
            raise ValidationError(f"当事人{name}：{e.messages[0]}") from None
    out["id_number"] = number
    return out
