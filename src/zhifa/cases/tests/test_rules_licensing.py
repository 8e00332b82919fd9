"""行政许可 rules (行政许可法第三十二条、第四十二条、第四十四条、第四十五条、第八十二条)."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from zhifa.cases.deadlines import working_day_after
from zhifa.cases.models import Deadline
from zhifa.cases.services import CaseActionRefused

pytestmark = pytest.mark.usefixtures("builtin_gates")
TODAY = timezone.localdate()
DAY = datetime.timedelta(days=1)


def test_correction_told_once_within_five_working_days(cw, make_case):
    case = make_case("licensing")
    notice = Deadline.objects.get(case=case, kind="correction_notice")
    assert notice.working_days and notice.due_on == working_day_after(TODAY, 5)
    late = notice.due_on + DAY
    data = {"items": "缺少宅基地申请表", "notified_on": late}
    with pytest.raises(CaseActionRefused, match="第三十二条第一款第四项.*视为已受理"):
        cw.perform(case, "request_correction", data, user="officer", today=late)
    # Deemed accepted from the day the materials arrived.
    case = cw.perform(case, "accept", user="officer", today=late)
    assert case.data["accepted_on"] == TODAY.isoformat()
    assert case.decision_due_on == working_day_after(TODAY, 20)


def test_correction_only_once(cw, make_case):
    case = make_case("licensing")
    data = {"items": "缺少申请表", "notified_on": TODAY}
    case = cw.perform(case, "request_correction", data, user="officer")
    with pytest.raises(CaseActionRefused, match="不能执行“一次告知补正”"):
        cw.perform(case, "request_correction", data, user="officer")
    case = cw.perform(case, "receive_correction", {"received_on": TODAY}, user="officer")
    assert case.stage == "accepted"
    assert case.decision_due_on == working_day_after(TODAY, 20)


def test_extension_ten_days_once_and_only_in_time(cw, make_case):
    case = make_case("licensing", "accepted")
    due = case.decision_due_on
    with pytest.raises(CaseActionRefused, match="负责人"):
        cw.perform(case, "extend", {"reason": "情况复杂"}, user="officer")
    with pytest.raises(CaseActionRefused, match="不能再延长"):
        cw.perform(case, "extend", {"reason": "情况复杂"}, today=due + DAY)
    case = cw.perform(case, "extend", {"reason": "情况复杂"})
    assert case.decision_due_on == working_day_after(due, 10)
    with pytest.raises(CaseActionRefused, match="只能延长一次"):
        cw.perform(case, "extend", {"reason": "再延长"})


def test_excluded_time_is_added_and_told(cw, make_case):
    case = make_case("licensing", "accepted")
    due = case.decision_due_on
    case = cw.perform(
        case, "exclude_time", {"reason": "expert", "days": 5, "told_on": TODAY}, user="officer"
    )
    assert case.decision_due_on == working_day_after(due, 5)
    with pytest.raises(CaseActionRefused, match="1至365"):
        cw.perform(case, "exclude_time", {"reason": "expert", "days": 0, "told_on": TODAY})


def test_site_check_by_two_officers(cw, make_case):
    case = make_case("licensing", "accepted", officers=[cw.officers["李明"]])
    with pytest.raises(CaseActionRefused, match="第四十二条"):
        cw.perform(case, "review", {"opinion": "核查", "site_visit": True}, user="officer")
    assert cw.perform(case, "review", {"opinion": "书面审查"}, user="officer")


def test_certificate_within_ten_working_days(cw, make_case):
    case = make_case("licensing", "granted")
    d = Deadline.objects.get(case=case, kind="certificate")
    assert d.due_on == working_day_after(case.decided_on, 10)
    with pytest.raises(CaseActionRefused, match="不能早于"):
        cw.perform(
            case,
            "issue_certificate",
            {"certificate_no": "X", "issued_on": TODAY - DAY},
            user="officer",
        )
