"""Issue 6 items 1, 3 and 7 checked against a body's own catalogue: a published matter or
category rule makes a case major (its reason shown and stored) and the version's time limit
sets the review deadline; the statistics count first-round passes, durations and problems."""

from __future__ import annotations

import pytest
from django.utils import timezone

from zhifa.cases.services import CaseActionRefused
from zhifa.core.calendar import add_working_days, working_days_between
from zhifa.review import catalogue as cat
from zhifa.review import services
from zhifa.review.models import Determination
from zhifa.review.stats import review_statistics

from .conftest import MATERIALS, all_ok, decide_data

pytestmark = pytest.mark.django_db

MATTER_RULE = {
    "kind": "matter",
    "label": "本主体目录：乡村建设规划类案件（示例）",
    "basis": "本主体重大执法决定目录清单（示例）",
    "categories": ["penalty"],
    "matter_codes": ["XZCF-001"],
}
COERCION_RULE = {
    "kind": "category",
    "label": "本主体目录：全部行政强制执行决定（示例）",
    "basis": "本主体重大执法决定目录清单（示例）",
    "categories": ["coercion"],
}


def _publish(cw, *extra, time_limit=5):
    rules = [*services.default_rules(), *extra]
    return services.publish_catalogue(
        cw.users["bodyhead"], cw.orgs["daxing"], rules, note="示例", time_limit=time_limit
    )


def test_a_matter_rule_makes_a_small_fine_major_with_the_versions_time_limit(
    cw, make_case, reviewers
):
    case = make_case(stage="notified", fine="500")
    assert not cat.evaluate(case).major  # 500 yuan: not major by the default catalogue
    version = _publish(cw, MATTER_RULE, time_limit=5)
    judged = cat.evaluate(case)
    assert judged.major and judged.catalogue_version == version.version
    assert [r["label"] for r in judged.reasons] == [MATTER_RULE["label"]]
    with pytest.raises(CaseActionRefused, match="第五十八条"):
        cw.perform(case, "decide", decide_data("500"))

    review_round = services.submit(
        cw.users["officer"], case, materials=MATERIALS, reviewer=reviewers["officer"]
    )
    today = timezone.localdate()
    assert review_round.request.time_limit == 5
    assert review_round.due_on == add_working_days(today, 5).date
    stored = Determination.objects.get(case=case)
    assert stored.reasons[0]["label"] == MATTER_RULE["label"]
    assert stored.catalogue_version == version.version
    services.give_opinion(cw.users["reviewer"], review_round, opinion="agree", findings=all_ok())
    assert cw.perform(case, "decide", decide_data("500")).stage == "decided"


def test_a_category_rule_gates_coercion_decisions(cw, make_case):
    case = make_case("coercion", "heard", branch="execution")
    data = {"method": "依法强制执行（示例）", "reasons": "逾期不履行（示例）"}
    assert services.decision_gate(case) is None
    _publish(cw, COERCION_RULE)
    with pytest.raises(CaseActionRefused, match="全部行政强制执行决定"):
        cw.perform(case, "decide_execution", data)
    case.refresh_from_db()
    assert case.stage == "heard"
    # the rule is limited to coercion: a small penalty case stays outside it
    assert not cat.evaluate(make_case(stage="notified", fine="500")).major


def test_statistics_count_first_round_passes_durations_and_problems(cw, make_case, reviewers):
    officer, reviewer = cw.users["officer"], cw.users["reviewer"]
    straight = make_case(stage="notified", fine="5000", hearing_right=True)
    returned = make_case(stage="notified", fine="6000", hearing_right=True)
    rounds = {}
    for case in (straight, returned):
        rounds[case.pk] = services.submit(
            officer, case, materials=MATERIALS, reviewer=reviewers["officer"]
        )
    services.give_opinion(reviewer, rounds[straight.pk], opinion="agree", findings=all_ok())
    services.give_opinion(
        reviewer,
        rounds[returned.pk],
        opinion="problems",
        findings=all_ok(evidence={"result": "problem", "comment": "缺少现场照片"}),
        problems="补充现场照片。",
    )
    second = services.submit(officer, returned, materials=MATERIALS)
    services.give_opinion(reviewer, second, opinion="agree", findings=all_ok())

    result = review_statistics(cw.users["countysupervisor"])
    (body,) = [b for b in result.bodies if b.organization_id == cw.orgs["daxing"].pk]
    assert (body.requests, body.rounds, body.passed, body.returned_now) == (2, 3, 2, 0)
    assert body.first_round_pass_rate == 50.0
    today = timezone.localdate()
    assert body.average_days == float(working_days_between(today, today).count)
    assert (body.open_rounds, body.overdue) == (0, 0)
    counts = {code: n for code, _, n in result.problems}
    assert counts["evidence"] == 1 and sum(counts.values()) == 1
