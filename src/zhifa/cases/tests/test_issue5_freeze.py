"""Issue 5: 冻结存款、汇款 (行政强制法第二十九条至第三十三条). Each rule broken: refused with the
article, nothing changed; then the lawful path."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from zhifa.cases import deadlines
from zhifa.cases.models import Deadline, DeadlineStatus, Measure
from zhifa.cases.services import CaseActionRefused

from .conftest import case_state as snapshot

pytestmark = pytest.mark.usefixtures("builtin_gates")

TODAY = timezone.localdate()
DAY = datetime.timedelta(days=1)
FREEZE = {
    "kind": "freeze",
    "items": "当事人在耿马县某银行的存款（示例）",
    "days": 30,
    "legal_basis": "《中华人民共和国税收征收管理法》第三十八条",
    "account": "耿马县某银行 6222000000000000（示例）",
    "freeze_amount": "5000",
    "involved_amount": "5000",
    "not_frozen_elsewhere": True,
}


def refused(cw, case, action, data, match, user="unithead", **kw) -> None:
    before = snapshot(case)
    with pytest.raises(CaseActionRefused, match=match):
        cw.perform(case, action, data, user=user, **kw)
    assert snapshot(case) == before


def approve(cw, case, **changes):
    return cw.perform(case, "approve_measure", {**FREEZE, "reason": "涉嫌偷税（示例）", **changes})


def frozen(cw, make_case, **kw):
    case = approve(cw, make_case("coercion"))
    return cw.perform(case, "apply_measure", {**FREEZE, "bank_notice": True}, user="officer", **kw)


@pytest.mark.parametrize(
    "changes,match",
    [
        ({"legal_basis": ""}, "法律条文.*第十条.*第二十九条第一款"),
        ({"legal_basis": "《云南省某某条例》第五条"}, "法律条文.*第十条"),
        ({"account": ""}, "账号"),
        ({"freeze_amount": ""}, "冻结的数额.*第二十九条第二款"),
        ({"involved_amount": ""}, "违法行为涉及的金额"),
        ({"freeze_amount": "5000.01"}, "超过违法行为涉及的金额5000.00元.*第二十九条第二款"),
        ({"not_frozen_elsewhere": False}, "其他国家机关.*不得重复冻结"),
    ],
)
def test_a_freeze_needs_its_law_account_and_amount(cw, make_case, changes, match):
    case = make_case("coercion")
    refused(cw, case, "approve_measure", {**FREEZE, "reason": "涉嫌偷税", **changes}, match)


def test_the_freeze_carried_out_is_the_one_approved_with_the_bank_notice(cw, make_case):
    case = approve(cw, make_case("coercion"))
    data = {**FREEZE, "bank_notice": True}
    refused(cw, case, "apply_measure", {**data, "legal_basis": ""}, "第二十九条", user="officer")
    refused(
        cw,
        case,
        "apply_measure",
        {**data, "freeze_amount": "6000", "involved_amount": "6000"},
        "超过负责人批准的5000.00元",
        user="officer",
    )
    refused(cw, case, "apply_measure", {**FREEZE}, "冻结通知书.*第三十条第一款", user="officer")
    # Done without the party (第三十条): no rights told at the scene, no audio-video asked.
    case = cw.perform(case, "apply_measure", data, user="officer")
    assert case.stage == "measure_in_force"
    assert case.data["freeze"]["freeze_amount"] == "5000.00"
    assert case.data["freeze"]["legal_basis"] == FREEZE["legal_basis"]
    measure = Measure.objects.get(case=case)
    assert (measure.kind, measure.ends_on) == ("freeze", TODAY + 30 * DAY)


def test_the_freeze_decision_within_three_working_days_shown_on_the_case_page(
    cw, make_case, client_for
):
    case = frozen(cw, make_case)
    due = deadlines.working_day_after(TODAY, 3)
    d = Deadline.objects.get(case=case, kind="freeze_decision", status=DeadlineStatus.OPEN)
    assert (d.due_on, d.working_days) == (due, True)
    page = client_for("officer").get(f"/cases/{case.pk}/").content.decode()
    assert "向当事人交付冻结决定书" in page and "第三十一条" in page
    assert "三十日内作出处理决定或者解除冻结" in page

    # No decision on the freeze before the party has the 冻结决定书 (第三十一条).
    refused(
        cw, case, "dispose_measure", {"outcome": "release"}, "冻结决定书尚未登记交付.*第三十一条"
    )
    refused(
        cw,
        case,
        "deliver_freeze_decision",
        {"delivered_on": TODAY + DAY, "document_number": "大兴冻〔2026〕1号"},
        "不能晚于今天",
        user="officer",
    )
    refused(
        cw,
        case,
        "deliver_freeze_decision",
        {"delivered_on": TODAY - DAY, "document_number": "大兴冻〔2026〕1号"},
        "不能早于冻结之日",
        user="officer",
    )
    case = cw.perform(
        case,
        "deliver_freeze_decision",
        {"delivered_on": TODAY, "document_number": "大兴冻〔2026〕1号"},
        user="officer",
    )
    assert case.data["freeze"]["decision_delivered_on"] == TODAY.isoformat()
    assert Deadline.objects.get(case=case, kind="freeze_decision").status == DeadlineStatus.MET
    refused(
        cw,
        case,
        "deliver_freeze_decision",
        {"delivered_on": TODAY, "document_number": "再次"},
        "已登记交付",
        user="officer",
    )


def _delivered(cw, make_case):
    case = frozen(cw, make_case)
    return cw.perform(
        case,
        "deliver_freeze_decision",
        {"delivered_on": TODAY, "document_number": "大兴冻〔2026〕2号"},
        user="officer",
    )


def test_an_extension_is_told_to_the_party_and_the_bank_once_and_at_most_30_days(cw, make_case):
    case = _delivered(cw, make_case)
    ext = {"days": 30, "reason": "情况复杂（示例）"}
    refused(cw, case, "extend_measure", ext, "书面告知当事人.*第三十二条")
    refused(
        cw,
        case,
        "extend_measure",
        {**ext, "told_party_on": TODAY},
        "通知金融机构.*第三十三条第三款",
    )
    refused(
        cw,
        case,
        "extend_measure",
        {**ext, "days": 31, "told_party_on": TODAY, "bank_notified": True},
        "第三十二条，延长期限不得超过三十日",
    )
    case = cw.perform(
        case, "extend_measure", {**ext, "told_party_on": TODAY, "bank_notified": True}
    )
    assert Measure.objects.get(case=case).ends_on == TODAY + 60 * DAY
    assert case.data["measure_extensions"][-1]["told_party_on"] == TODAY.isoformat()
    refused(
        cw,
        case,
        "extend_measure",
        {"days": 1, "reason": "再延", "told_party_on": TODAY, "bank_notified": True},
        "第三十二条，冻结只能延长一次",
    )


def test_after_the_term_a_freeze_is_only_released_and_told_to_bank_and_party(cw, make_case):
    case = _delivered(cw, make_case)
    late = Measure.objects.get(case=case).ends_on + DAY
    refused(
        cw,
        case,
        "dispose_measure",
        {"outcome": "transfer_funds"},
        "第三十三条第一款第四项",
        today=late,
    )
    refused(cw, case, "dispose_measure", {"outcome": "confiscate"}, "只能依法划拨或者解除冻结")
    refused(
        cw,
        case,
        "dispose_measure",
        {"outcome": "release"},
        "通知金融机构和当事人.*第三十三条第二款",
    )
    case = cw.perform(
        case, "dispose_measure", {"outcome": "release", "told_bank_and_party": True}, today=late
    )
    assert case.stage == "measure_ended"
    assert case.data["freeze"]["outcome"] == "release"
    assert Measure.objects.get(case=case).released_on == late


def test_funds_transferred_within_the_term(cw, make_case):
    case = _delivered(cw, make_case)
    case = cw.perform(case, "dispose_measure", {"outcome": "transfer_funds", "note": "依法划拨"})
    assert case.data["freeze"]["outcome"] == "transfer_funds"


def test_transfer_of_funds_is_for_a_freeze_only(cw, make_case):
    case = make_case("coercion", "measure_in_force", measure_kind="seize")
    refused(cw, case, "dispose_measure", {"outcome": "transfer_funds"}, "只适用于冻结措施")
