"""Issue 5: a seizure decided only within its term (行政强制法第二十七条、第二十八条), and a fine
never recorded as "nothing to execute". Broken, refused, nothing changed."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from zhifa.cases.models import Measure
from zhifa.cases.services import CaseActionRefused

from .conftest import case_state as snapshot

pytestmark = pytest.mark.usefixtures("builtin_gates")

TODAY = timezone.localdate()
DAY = datetime.timedelta(days=1)


def test_seized_things_only_released_once_the_term_has_passed(cw, make_case):
    case = make_case("coercion", "measure_in_force", measure_kind="seize")
    ends = Measure.objects.get(case=case).ends_on
    late = ends + DAY
    before = snapshot(case)
    with pytest.raises(CaseActionRefused, match="只能作出解除决定.*第二十七条"):
        cw.perform(case, "dispose_measure", {"outcome": "confiscate"}, today=late)
    assert snapshot(case) == before
    case = cw.perform(case, "dispose_measure", {"outcome": "release"}, today=late)
    assert case.stage == "measure_ended"
    assert Measure.objects.get(case=case).released_on == late


def test_seized_things_may_be_confiscated_within_the_term(cw, make_case):
    case = make_case("coercion", "measure_in_force", measure_kind="seize")
    ends = Measure.objects.get(case=case).ends_on
    case = cw.perform(case, "dispose_measure", {"outcome": "confiscate"}, today=ends)
    assert case.data["measure_outcome"]["outcome"] == "confiscate"


@pytest.mark.parametrize(
    "procedure,stage", [("penalty_ordinary", "served"), ("penalty_simplified", "filed")]
)
def test_a_fine_is_never_nothing_to_execute(cw, make_case, procedure, stage):
    case = make_case(procedure, stage)
    assert case.fine_amount
    before = snapshot(case)
    with pytest.raises(CaseActionRefused, match="不能登记为“无需执行”"):
        cw.perform(
            case, "record_execution", {"done_on": TODAY, "manner": "nothing"}, user="officer"
        )
    assert snapshot(case) == before
    from zhifa.cases.execution import record_payment

    record_payment(cw.users["officer"], case, case.fine_amount, TODAY)
    case = cw.perform(
        case, "record_execution", {"done_on": TODAY, "manner": "performed"}, user="officer"
    )
    assert case.stage == "executed"


def test_a_warning_needs_no_execution(cw, make_case):
    case = make_case("penalty_ordinary", "served", fine="")
    assert not case.fine_amount
    case = cw.perform(
        case, "record_execution", {"done_on": TODAY, "manner": "nothing"}, user="officer"
    )
    assert case.stage == "executed"
