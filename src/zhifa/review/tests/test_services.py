"""The review rules, each broken once through the real services: the gate (行政处罚法第五十八条),
self-review, resubmission after 存在问题 with every round kept, catalogue versioning, working-day
deadlines, deliberation (第五十七条第二款), and bad input refused with nothing changed."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from zhifa.cases.services import CaseActionRefused
from zhifa.core.calendar import add_calendar_day
from zhifa.ledger.models import LedgerEntry
from zhifa.registry import services as registry_services
from zhifa.review import catalogue as cat
from zhifa.review import services
from zhifa.review.models import (
    Deliberation,
    Determination,
    Finding,
    RequestStatus,
    ReviewRequest,
    ReviewRound,
)

from .conftest import MATERIALS, all_ok, decide_data

pytestmark = pytest.mark.django_db

PROBLEM = {"result": "problem", "comment": "罚款数额未说明裁量理由"}


def ledger_count() -> int:
    return LedgerEntry.objects.count()


def pass_review(cw, case, reviewers):
    review_round = services.submit(
        cw.users["officer"], case, materials=MATERIALS, reviewer=reviewers["officer"]
    )
    return services.give_opinion(
        cw.users["reviewer"], review_round, opinion="agree", findings=all_ok()
    )


# ---------------------------------------------------------------- catalogue and determination


def test_default_catalogue_judges_fines_by_party_type(cw, make_case):
    small = make_case(stage="to_notify", fine="500")
    assert not cat.evaluate(small).major
    big = make_case(stage="to_notify", fine="2000", hearing_right=True)
    determination = cat.evaluate(big)
    assert determination.major and determination.catalogue_version == 0
    assert determination.reasons[0]["label"] == "对自然人处较大数额罚款的"
    assert "第六十三条" in determination.reasons[0]["basis"]
    company = make_case(
        stage="to_notify",
        fine="5000",
        parties=[{"kind": "legal", "name": "示例农资店（虚构）", "id_number": _uscc()}],
    )
    assert not cat.evaluate(company).major  # 10,000 for an organisation


def _uscc() -> str:
    from zhifa.cases.tests.conftest import uscc_code

    return uscc_code()


@pytest.mark.parametrize(
    ("facts", "major"),
    [
        ({"penalty_kinds": ["revoke_licence"]}, True),
        ({"penalty_kinds": ["stop_business"]}, True),
        ({"penalty_kinds": ["warning"]}, False),
        ({"confiscation": Decimal("2000"), "party_kinds": ["natural"]}, True),
        ({"confiscation": Decimal("9999"), "party_kinds": ["organisation"]}, False),
        ({"hearing_held": True}, True),
        ({"public_interest": True}, True),
        ({"several_relations": True}, True),
        ({"other_basis": "某条例第十条"}, True),
    ],
)
def test_default_rules(facts, major):
    base = {"category": "penalty", "matter_code": "X", "party_kinds": ["natural"]}
    judged = cat.CaseFacts(**{**base, **facts})
    assert any(cat.matches(rule, judged) for rule in cat.DEFAULT_SPECS) is major


def test_catalogue_versions_keep_a_stored_determination(cw, make_case):
    head = cw.users["bodyhead"]
    first = make_case(stage="to_notify", fine="5000", hearing_right=True)
    stored = services.determine(cw.users["officer"], first)
    assert stored.major and stored.catalogue_version == 0
    first.refresh_from_db()
    assert first.requires_review

    rules = services.default_rules()
    for rule in rules:
        if rule["kind"] == "fine" and rule["party_scope"] == "natural":
            rule["threshold"] = Decimal("10000")
    v1 = services.publish_catalogue(head, cw.orgs["daxing"], rules, note="提高自然人罚款标准")
    assert v1.version == 1
    v2 = services.publish_catalogue(head, cw.orgs["daxing"], rules, time_limit=5)
    assert v2.version == 2 and v1.rules.count() == v2.rules.count() == len(rules)

    # the stored determination does not move; a new case is judged by version 2
    stored.refresh_from_db()
    assert stored.major and stored.catalogue_version == 0
    assert services.decision_gate(first) is not None
    second = make_case(stage="to_notify", fine="5000", hearing_right=True)
    assert not cat.evaluate(second).major
    assert cat.evaluate(second).catalogue_version == 2
    with pytest.raises(ValidationError, match="已于"):
        services.determine(cw.users["officer"], first)


def test_only_the_body_head_publishes_a_valid_catalogue(cw):
    daxing = cw.orgs["daxing"]
    with pytest.raises(PermissionDenied):
        services.publish_catalogue(cw.users["unithead"], daxing, services.default_rules())
    bad = services.default_rules()
    bad[6]["threshold"] = "-1"
    before = ledger_count()
    with pytest.raises(ValidationError, match="第7条规则：数额标准须大于0元"):
        services.publish_catalogue(cw.users["bodyhead"], daxing, bad)
    with pytest.raises(ValidationError, match="至少应有一条规则"):
        services.publish_catalogue(cw.users["bodyhead"], daxing, [])
    assert ledger_count() == before and cat.catalogue_in_force(daxing.pk) is None


# ---------------------------------------------------------------- the gate and the loop


def test_major_case_cannot_be_decided_without_a_passed_review(cw, major_case, reviewers):
    with pytest.raises(CaseActionRefused, match="第五十八条"):
        cw.perform(major_case, "decide", decide_data())
    major_case.refresh_from_db()
    assert major_case.stage == "notified" and major_case.decided_on is None

    # submitted, not yet reviewed: still refused
    review_round = services.submit(
        cw.users["officer"], major_case, materials=MATERIALS, reviewer=reviewers["officer"]
    )
    with pytest.raises(CaseActionRefused):
        cw.perform(major_case, "decide", decide_data())

    services.give_opinion(cw.users["reviewer"], review_round, opinion="agree", findings=all_ok())
    major_case.refresh_from_db()
    assert major_case.data["review_passed"] is True
    decided = cw.perform(major_case, "decide", decide_data())
    assert decided.stage == "decided"


def test_resubmission_after_problems_keeps_every_round(cw, major_case, reviewers):
    officer, reviewer = cw.users["officer"], cw.users["reviewer"]
    first = services.submit(officer, major_case, materials=MATERIALS, reviewer=reviewers["officer"])
    services.give_opinion(
        reviewer,
        first,
        opinion="problems",
        findings=all_ok(discretion=PROBLEM),
        problems="请补充裁量说明。",
    )
    request = ReviewRequest.objects.get(case=major_case)
    assert request.status == RequestStatus.RETURNED
    with pytest.raises(CaseActionRefused):
        cw.perform(major_case, "decide", decide_data())

    # the same round cannot be answered twice; a second round needs a resubmission
    with pytest.raises(ValidationError, match="不能修改"):
        services.give_opinion(reviewer, first, opinion="agree", findings=all_ok())
    second = services.submit(
        officer, major_case, materials={**MATERIALS, "discretion": "补充后的裁量说明"}
    )
    assert second.number == 2 and second.reviewer == reviewers["officer"]
    with pytest.raises(ValidationError, match="正在法制审核中"):
        services.submit(officer, major_case, materials=MATERIALS)
    services.give_opinion(reviewer, second, opinion="agree", findings=all_ok())

    rounds = list(ReviewRound.objects.filter(request=request).order_by("number"))
    assert [r.opinion for r in rounds] == ["problems", "agree"]
    assert rounds[0].problems == "请补充裁量说明。"
    assert Finding.objects.get(round=rounds[0], item="discretion").result == "problem"
    request.refresh_from_db()
    assert request.status == RequestStatus.PASSED
    assert cw.perform(major_case, "decide", decide_data()).stage == "decided"
    events = list(
        LedgerEntry.objects.filter(subject=major_case.subject, event_type__startswith="review.")
        .order_by("seq")
        .values_list("event_type", flat=True)
    )
    assert events == [
        "review.determined",
        "review.submitted",
        "review.assigned",
        "review.opinion_given",
        "review.submitted",
        "review.opinion_given",
    ]


def test_an_officer_who_acted_on_the_case_cannot_review_it(cw, make_case, reviewers):
    # 刘洋 is both a registered legal reviewer and an officer: here he handles the case.
    case = make_case(
        stage="to_notify",
        fine="5000",
        hearing_right=True,
        officers=[cw.officers["李明"], cw.officers["刘洋"]],
    )
    before = ledger_count()
    with pytest.raises(ValidationError, match="不得审核本人承办"):
        services.submit(
            cw.users["officer"], case, materials=MATERIALS, reviewer=reviewers["officer"]
        )
    assert ledger_count() == before and not ReviewRequest.objects.filter(case=case).exists()
    review_round = services.submit(cw.users["officer"], case, materials=MATERIALS)
    with pytest.raises(ValidationError, match="不得审核本人承办"):
        services.assign_reviewer(cw.users["bodyhead"], review_round.request, reviewers["officer"])
    # the adviser may; a legal reviewer who handled the case may not enter the opinion for him
    services.assign_reviewer(cw.users["bodyhead"], review_round.request, reviewers["adviser"])
    with pytest.raises(ValidationError, match="不得审核本人承办"):
        services.give_opinion(
            cw.users["reviewer"], review_round, opinion="agree", findings=all_ok()
        )


def test_only_the_assigned_legal_reviewer_gives_the_opinion(cw, major_case, reviewers):
    review_round = services.submit(cw.users["officer"], major_case, materials=MATERIALS)
    with pytest.raises(ValidationError, match="尚未指定审核人员"):
        services.give_opinion(
            cw.users["reviewer"], review_round, opinion="agree", findings=all_ok()
        )
    with pytest.raises(PermissionDenied):
        services.assign_reviewer(cw.users["officer"], review_round.request, reviewers["officer"])
    services.assign_reviewer(cw.users["bodyhead"], review_round.request, reviewers["officer"])
    for user in ("officer", "bodyhead", "supervisor"):
        with pytest.raises(PermissionDenied):
            services.give_opinion(cw.users[user], review_round, opinion="agree", findings=all_ok())


# ---------------------------------------------------------------- bad input: nothing changes


def test_submission_with_missing_materials_is_refused(cw, major_case):
    before = ledger_count()
    partial = {k: v for k, v in MATERIALS.items() if k != "investigation_report"}
    with pytest.raises(ValidationError, match="缺少：案件调查终结报告"):
        services.submit(cw.users["officer"], major_case, materials=partial)
    with pytest.raises(ValidationError, match="缺少：行使裁量权的说明"):
        services.submit(
            cw.users["officer"], major_case, materials={**MATERIALS, "discretion": "  "}
        )
    assert ledger_count() == before
    assert not ReviewRequest.objects.filter(case=major_case).exists()
    assert not Determination.objects.filter(case=major_case).exists()
    major_case.refresh_from_db()
    assert "review_passed" not in major_case.data


def test_hearing_record_required_after_a_hearing(cw, make_case):
    case = make_case(stage="heard", fine="500", hearing=True)
    assert cat.evaluate(case).major  # 经过听证程序 (第五十八条第一款第二项)
    with pytest.raises(ValidationError, match="听证笔录"):
        services.submit(cw.users["officer"], case, materials=MATERIALS)
    services.submit(
        cw.users["officer"], case, materials={**MATERIALS, "hearing_record": "听证笔录（示例）"}
    )


def test_an_unregistered_reviewer_is_refused(cw, major_case, reviewers):
    adviser = reviewers["adviser"]
    registry_services.withdraw_reviewer(
        None, adviser, withdrawn_on=timezone.localdate(), reason="聘期届满"
    )
    adviser.refresh_from_db()
    before = ledger_count()
    with pytest.raises(ValidationError, match="不是本执法主体在任的法制审核人员"):
        services.submit(cw.users["officer"], major_case, materials=MATERIALS, reviewer=adviser)
    assert ledger_count() == before
    assert not ReviewRequest.objects.filter(case=major_case).exists()
    review_round = services.submit(cw.users["officer"], major_case, materials=MATERIALS)
    with pytest.raises(ValidationError, match="不是本执法主体在任的法制审核人员"):
        services.assign_reviewer(cw.users["bodyhead"], review_round.request, adviser)
    review_round.refresh_from_db()
    assert review_round.reviewer is None


def test_problems_opinion_without_reasons_is_refused(cw, major_case, reviewers):
    review_round = services.submit(
        cw.users["officer"], major_case, materials=MATERIALS, reviewer=reviewers["officer"]
    )
    reviewer = cw.users["reviewer"]
    before = ledger_count()
    with pytest.raises(ValidationError, match="必须写明存在的问题"):
        services.give_opinion(
            reviewer, review_round, opinion="problems", findings=all_ok(discretion=PROBLEM)
        )
    with pytest.raises(ValidationError, match="至少在一个审核事项中标明"):
        services.give_opinion(
            reviewer, review_round, opinion="problems", findings=all_ok(), problems="有问题"
        )
    with pytest.raises(ValidationError, match="请写明具体问题"):
        services.give_opinion(
            reviewer,
            review_round,
            opinion="problems",
            findings=all_ok(facts={"result": "problem", "comment": ""}),
            problems="事实不清",
        )
    with pytest.raises(ValidationError, match="不能为“同意”"):
        services.give_opinion(
            reviewer, review_round, opinion="agree", findings=all_ok(discretion=PROBLEM)
        )
    partial = all_ok()
    del partial["crime"]
    with pytest.raises(ValidationError, match="尚未填写：是否涉嫌犯罪"):
        services.give_opinion(reviewer, review_round, opinion="agree", findings=partial)
    assert ledger_count() == before
    review_round.refresh_from_db()
    assert review_round.opinion == "" and not review_round.findings.exists()
    assert ReviewRequest.objects.get(case=major_case).status == RequestStatus.REVIEWING


# ---------------------------------------------------------------- voluntary, deadlines


def test_voluntary_submission_of_a_case_that_is_not_major(cw, make_case, reviewers):
    case = make_case(stage="to_notify", fine="500")
    with pytest.raises(ValidationError, match="主动送审"):
        services.submit(cw.users["officer"], case, materials=MATERIALS)
    assert not Determination.objects.filter(case=case).exists()
    review_round = services.submit(cw.users["officer"], case, materials=MATERIALS, voluntary=True)
    assert review_round.request.voluntary
    case.refresh_from_db()
    # once sent, the decision waits for the review like a major case
    assert case.requires_review and case.data["review_passed"] is False


def test_review_deadline_counts_working_days(cw, major_case, reviewers):
    # 2026-12-30 is a Wednesday; 2027-01-01 (Friday) a holiday.
    add_calendar_day(None, datetime.date(2027, 1, 1), "holiday", "元旦")
    review_round = services.submit(
        cw.users["officer"], major_case, materials=MATERIALS, today=datetime.date(2026, 12, 30)
    )
    assert review_round.clock_started_on == datetime.date(2026, 12, 30)
    assert review_round.due_on == datetime.date(2027, 1, 11)  # 7 working days, not 1-08
    with pytest.raises(PermissionDenied):
        services.extend_round(cw.users["unithead"], review_round, "案情复杂")
    with pytest.raises(ValidationError, match="请填写延长理由"):
        services.extend_round(cw.users["bodyhead"], review_round, " ")
    extended = services.extend_round(cw.users["bodyhead"], review_round, "案情复杂")
    assert extended.due_on == datetime.date(2027, 1, 14)  # +3 working days
    with pytest.raises(ValidationError, match="已延长过一次"):
        services.extend_round(cw.users["bodyhead"], review_round, "再次延长")


# ---------------------------------------------------------------- collective deliberation

ATTENDEES = [
    {"name": "张伟", "position": "乡长", "opinion": "同意法制审核意见"},
    {"name": "赵强", "position": "执法队长", "opinion": "同意"},
]


def deliberation_kwargs(**overrides):
    return {
        "held_at": timezone.now() - datetime.timedelta(hours=1),
        "place": "乡政府会议室",
        "chair": "张伟",
        "recorder": "王芳",
        "attendees": ATTENDEES,
        "conclusion": "penalty",
        "conclusion_text": "同意作出罚款五千元的决定",
        "minutes": "讨论记录（示例）",
        **overrides,
    }


def test_complex_case_needs_collective_deliberation(cw, major_case, reviewers):
    services.determine(cw.users["officer"], major_case, {"complex": True})
    major_case.refresh_from_db()
    assert major_case.requires_deliberation
    pass_review(cw, major_case, reviewers)
    with pytest.raises(CaseActionRefused, match="第五十七条第二款"):
        cw.perform(major_case, "decide", decide_data())

    head = cw.users["bodyhead"]
    before = ledger_count()
    with pytest.raises(ValidationError, match="至少登记2位参加人员"):
        services.record_deliberation(
            head, major_case, **deliberation_kwargs(attendees=ATTENDEES[:1])
        )
    with pytest.raises(ValidationError, match="第2位参加人员的意见"):
        services.record_deliberation(
            head,
            major_case,
            **deliberation_kwargs(attendees=[ATTENDEES[0], {**ATTENDEES[1], "opinion": ""}]),
        )
    with pytest.raises(PermissionDenied):
        services.record_deliberation(cw.users["unithead"], major_case, **deliberation_kwargs())
    assert ledger_count() == before and not Deliberation.objects.exists()

    # "补充调查后再议" does not open the gate
    services.record_deliberation(head, major_case, **deliberation_kwargs(conclusion="further"))
    with pytest.raises(CaseActionRefused):
        cw.perform(major_case, "decide", decide_data())
    services.record_deliberation(head, major_case, **deliberation_kwargs())
    assert cw.perform(major_case, "decide", decide_data()).stage == "decided"
    assert (
        LedgerEntry.objects.filter(
            subject=major_case.subject, event_type="review.deliberated"
        ).count()
        == 2
    )


def test_head_sends_a_case_to_deliberation(cw, make_case):
    case = make_case(stage="to_notify", fine="500")
    with pytest.raises(PermissionDenied):
        services.require_deliberation(cw.users["officer"], case, "情节复杂")
    services.require_deliberation(cw.users["bodyhead"], case, "情节复杂")
    case.refresh_from_db()
    assert case.requires_deliberation and "deliberated" not in case.data


def test_facts_changed_after_a_not_major_determination_are_judged_again(cw, make_case):
    """Stored as not major under version 0; a hearing held later makes it major under that
    same version, so the gate refuses."""
    case = make_case(stage="notified", fine="500", hearing=True)
    stored = services.determine(cw.users["officer"], case)
    assert not stored.major
    assert services.decision_gate(case) is None
    case = cw.perform(
        case, "request_hearing", {"requested_on": timezone.localdate()}, user="officer"
    )
    case = cw.perform(
        case,
        "hold_hearing",
        {
            "notified_on": timezone.localdate() - datetime.timedelta(days=15),
            "held_on": timezone.localdate(),
            "host": "刘洋",
            "summary": "听证笔录（示例）",
        },
        user="officer",
    )
    assert "经过听证程序" in services.decision_gate(case)
    with pytest.raises(CaseActionRefused, match="第五十八条"):
        cw.perform(case, "decide", decide_data("500"))


def test_a_decided_case_keeps_the_determination_it_was_decided_under(cw, make_case):
    case = make_case(stage="decided", fine="500")
    stored = Determination.objects.get(case=case)
    assert not stored.major and stored.catalogue_version == 0
    assert LedgerEntry.objects.filter(subject=case.subject, event_type="review.determined").exists()
    # a stricter catalogue published afterwards does not rewrite it
    rules = [{"kind": "fine", "label": "一切罚款", "party_scope": "", "threshold": "1"}]
    services.publish_catalogue(cw.users["bodyhead"], cw.orgs["daxing"], rules)
    assert cat.evaluate(case).major
    stored.refresh_from_db()
    assert not stored.major and stored.catalogue_version == 0
