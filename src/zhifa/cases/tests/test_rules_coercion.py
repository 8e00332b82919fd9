"""行政强制 rules (行政强制法第十八条、第十九条、第二十五条、第三十五条至第三十七条、第四十三条、
第四十四条), broken and refused."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from zhifa.cases.models import Case, Deadline, Measure
from zhifa.cases.services import CaseActionRefused
from zhifa.core.calendar import add_calendar_day

from .conftest import add_av_record

pytestmark = pytest.mark.usefixtures("builtin_gates")
TODAY = timezone.localdate()
DAY = datetime.timedelta(days=1)
MEASURE = {"kind": "other", "items": "物品清单（示例）", "days": 30, "told_rights": True}


def test_measure_needs_prior_approval_or_an_emergency(cw, make_case):
    case = make_case("coercion")
    with pytest.raises(CaseActionRefused, match="第十八条第一项"):
        cw.perform(case, "apply_measure", MEASURE, user="officer")
    with pytest.raises(CaseActionRefused, match="紧急情况说明"):
        cw.perform(case, "apply_measure", {**MEASURE, "emergency": True}, user="officer")
    with pytest.raises(CaseActionRefused, match="第十八条第五项"):
        cw.perform(
            case,
            "apply_measure",
            {**MEASURE, "emergency": True, "emergency_reason": "危险", "told_rights": False},
            user="officer",
        )
    case = cw.perform(
        case,
        "apply_measure",
        {**MEASURE, "emergency": True, "emergency_reason": "燃气泄漏"},
        user="officer",
    )
    assert case.stage == "measure_in_force"
    assert Deadline.objects.filter(case=case, kind="emergency_report").exists()


def test_emergency_report_within_24_hours(cw, make_case):
    case = make_case("coercion")
    now = timezone.now()
    case = cw.perform(
        case,
        "apply_measure",
        {**MEASURE, "emergency": True, "emergency_reason": "燃气泄漏"},
        user="officer",
        now=now,
    )
    late = now + datetime.timedelta(hours=25)
    with pytest.raises(CaseActionRefused, match="已超过二十四小时"):
        cw.perform(case, "report_emergency", {"opinion": "同意"}, now=late, today=late.date())
    with pytest.raises(CaseActionRefused, match="只能解除"):
        cw.perform(case, "dispose_measure", {"outcome": "confiscate"}, today=late.date())
    case = cw.perform(case, "dispose_measure", {"outcome": "release"}, today=late.date())
    assert case.stage == "measure_ended"
    assert Measure.objects.get(case=case).released_on == late.date()


def test_emergency_reported_in_time(cw, make_case):
    case = make_case("coercion")
    now = timezone.now()
    case = cw.perform(
        case,
        "apply_measure",
        {**MEASURE, "emergency": True, "emergency_reason": "燃气泄漏"},
        user="officer",
        now=now,
    )
    case = cw.perform(
        case, "report_emergency", {"opinion": "同意"}, now=now + datetime.timedelta(hours=23)
    )
    assert Measure.objects.get(case=case).reported_at is not None


def test_seizure_at_most_30_days_extended_once_by_at_most_30(cw, make_case):
    case = make_case("coercion")
    with pytest.raises(CaseActionRefused, match="第二十五条"):
        cw.perform(
            case, "approve_measure", {**MEASURE, "kind": "seize", "days": 31, "reason": "理由"}
        )
    case = make_case("coercion", "measure_in_force", measure_kind="seize")
    measure = Measure.objects.get(case=case)
    assert measure.ends_on == measure.starts_on + 30 * DAY
    told = {"reason": "情况复杂", "told_party_on": TODAY}
    with pytest.raises(CaseActionRefused, match="不得超过三十日"):
        cw.perform(case, "extend_measure", {**told, "days": 31})
    late = measure.ends_on + DAY
    with pytest.raises(CaseActionRefused, match="不能再延长"):
        cw.perform(case, "extend_measure", {**told, "days": 10}, today=late)
    cw.perform(case, "extend_measure", {**told, "days": 30})
    assert Measure.objects.get(case=case).ends_on == measure.ends_on + 30 * DAY
    with pytest.raises(CaseActionRefused, match="只能延长一次"):
        cw.perform(case, "extend_measure", {**told, "days": 1})


@pytest.mark.parametrize("kind", ["seize", "seal"])
def test_seizure_extension_is_told_to_the_party_in_writing(cw, make_case, kind):
    """第二十五条第二款: “延长查封、扣押的决定应当及时书面告知当事人，并说明理由。”"""
    case = make_case("coercion", "measure_in_force", measure_kind=kind)
    measure = Measure.objects.get(case=case)
    ext = {"days": 20, "reason": "需要检测，情况复杂（示例）"}
    quoted = (
        "书面告知当事人.*第二十五条第一款、第二款.*延长查封、扣押的决定应当及时书面告知当事人，"
        "并说明理由"
    )
    with pytest.raises(CaseActionRefused, match=quoted):
        cw.perform(case, "extend_measure", ext)
    with pytest.raises(CaseActionRefused, match="请填写“情况复杂的理由"):
        cw.perform(case, "extend_measure", {**ext, "reason": "  ", "told_party_on": TODAY})
    with pytest.raises(CaseActionRefused, match="不能晚于今天"):
        cw.perform(case, "extend_measure", {**ext, "told_party_on": TODAY + DAY})
    with pytest.raises(CaseActionRefused, match="“批准延长日期”不能晚于今天"):
        cw.perform(
            case, "extend_measure", {**ext, "approved_on": TODAY + DAY, "told_party_on": TODAY}
        )
    with pytest.raises(CaseActionRefused, match="不能早于"):
        cw.perform(
            case,
            "extend_measure",
            {**ext, "approved_on": measure.starts_on - DAY, "told_party_on": TODAY},
        )
    # Told before the head approved the extension (approved on the day it is registered).
    later = TODAY + 2 * DAY
    with pytest.raises(CaseActionRefused, match="早于负责人批准延长的日期.*第二十五条"):
        cw.perform(case, "extend_measure", {**ext, "told_party_on": TODAY + DAY}, today=later)
    assert not Measure.objects.get(case=case).extended
    assert "measure_extensions" not in Case.objects.get(pk=case.pk).data
    # Approved today on paper and told the party the same day, registered tomorrow.
    case = cw.perform(
        case,
        "extend_measure",
        {**ext, "approved_on": TODAY, "told_party_on": TODAY},
        today=TODAY + DAY,
    )
    extension = case.data["measure_extensions"][-1]
    assert extension["told_party_on"] == TODAY.isoformat()
    assert extension["reason"] == ext["reason"]
    assert Measure.objects.get(case=case).ends_on == measure.ends_on + 20 * DAY


def test_seizure_needs_an_audio_video_record(cw, make_case):
    case = make_case("coercion")
    seize = {**MEASURE, "kind": "seize"}
    cw.perform(case, "approve_measure", {**seize, "reason": "隐患"})
    with pytest.raises(CaseActionRefused, match="音像记录"):
        cw.perform(case, "apply_measure", seize, user="officer")
    add_av_record(cw, case)
    assert cw.perform(case, "apply_measure", seize, user="officer").stage == "measure_in_force"


def test_measure_needs_two_officers(cw, make_case):
    case = make_case("coercion", officers=[cw.officers["李明"]])
    cw.perform(case, "approve_measure", {**MEASURE, "reason": "隐患"})
    with pytest.raises(CaseActionRefused, match="第四十二条"):
        cw.perform(case, "apply_measure", MEASURE, user="officer")


def _heard(cw, make_case, perform_by):
    case = make_case("coercion")
    case = cw.perform(
        case,
        "urge",
        {"served_on": TODAY - 10 * DAY, "perform_by": perform_by, "manner": "自行拆除"},
        user="officer",
    )
    return cw.perform(
        case, "hear_party", {"heard_on": TODAY, "statement": "无", "review": "无"}, user="officer"
    )


def test_execution_decision_only_after_the_urged_period(cw, make_case):
    case = _heard(cw, make_case, TODAY)
    data = {"method": "强制拆除", "reasons": "逾期不履行"}
    with pytest.raises(CaseActionRefused, match="第三十七条第一款"):
        cw.perform(case, "decide_execution", data)
    with pytest.raises(CaseActionRefused, match="转移或者隐匿"):
        cw.perform(case, "decide_execution", {**data, "immediate": True})
    case = cw.perform(
        case, "decide_execution", {**data, "immediate": True, "immediate_reason": "正在转移财物"}
    )
    assert case.decision_number.startswith("大兴乡强决〔")


def test_urge_needs_a_later_deadline(cw, make_case):
    case = make_case("coercion")
    with pytest.raises(CaseActionRefused, match="履行期限应当晚于"):
        cw.perform(
            case, "urge", {"served_on": TODAY, "perform_by": TODAY, "manner": "x"}, user="officer"
        )


def test_demolition_needs_announcement_and_av_record(cw, make_case):
    case = _heard(cw, make_case, TODAY - DAY)
    data = {"method": "强制拆除", "reasons": "逾期不拆除", "demolition": True}
    with pytest.raises(CaseActionRefused, match="第四十四条.*公告"):
        cw.perform(case, "decide_execution", data)
    with pytest.raises(CaseActionRefused, match="第四十四条.*复议"):
        cw.perform(case, "decide_execution", {**data, "announced_on": TODAY - 5 * DAY})
    case = cw.perform(
        case,
        "decide_execution",
        {**data, "announced_on": TODAY - 5 * DAY, "remedy_expired": True},
    )
    at = _working_day_at(10)
    with pytest.raises(CaseActionRefused, match="强制拆除须全程音像记录"):
        cw.perform(case, "execute", {"executed_at": at}, user="officer")
    add_av_record(cw, case)
    assert cw.perform(case, "execute", {"executed_at": at}, user="officer").stage == "executed"


def _working_day_at(hour: int) -> datetime.datetime:
    from zhifa.core.calendar import is_working_day

    day = TODAY - DAY
    while not is_working_day(day).working:
        day -= DAY
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, 0)))


def test_no_execution_at_night_or_on_holidays_unless_urgent(cw, make_case):
    case = make_case("coercion", "execution_decided", branch="execution")
    night = _working_day_at(23)
    with pytest.raises(CaseActionRefused, match="第四十三条.*夜间"):
        cw.perform(case, "execute", {"executed_at": night}, user="officer")
    early = _working_day_at(5)
    with pytest.raises(CaseActionRefused, match="夜间"):
        cw.perform(case, "execute", {"executed_at": early}, user="officer")
    holiday = _working_day_at(10)
    add_calendar_day(None, holiday.date(), "holiday", "测试假日")
    with pytest.raises(CaseActionRefused, match="非工作日（法定节假日"):
        cw.perform(case, "execute", {"executed_at": holiday}, user="officer")
    case = cw.perform(
        case,
        "execute",
        {"executed_at": night, "emergency_reason": "山体滑坡危及安全"},
        user="officer",
    )
    assert case.stage == "executed"
    assert Case.objects.get(pk=case.pk).data["execution"]["emergency_reason"]
