from __future__ import annotations

import json

import pytest

from zhifa.cases import services
from zhifa.cases.models import Case, Step
from zhifa.cases.services import CaseActionRefused
from zhifa.ledger.models import LedgerEntry

pytestmark = pytest.mark.usefixtures("builtin_gates")


def test_register_case_first_stage_number_and_ledger(cw, make_case):
    before = LedgerEntry.objects.count()
    case = make_case()
    assert case.stage == "registered"
    assert case.number == f"大兴乡罚立〔{case.created_at.year}〕1号"
    assert case.parties.count() == 1
    assert case.case_officers.filter(lead=True).count() == 1
    assert LedgerEntry.objects.count() == before + 1
    entry = LedgerEntry.objects.order_by("-seq").first()
    assert entry.event_type == "cases.registered"
    assert entry.subject == case.subject


def test_numbers_are_sequential(make_case):
    a, b = make_case(), make_case()
    assert a.number.endswith("1号") and b.number.endswith("2号")


def test_perform_writes_step_and_ledger(cw, make_case):
    case = make_case()
    case = cw.perform(case, "file", {})
    assert case.stage == "investigating"
    step = Step.objects.get(case=case)
    assert (step.action, step.from_stage, step.to_stage, step.role) == (
        "file",
        "registered",
        "investigating",
        "unit_head",
    )
    entry = LedgerEntry.objects.get(seq=step.ledger_seq)
    assert entry.event_type == "cases.transition"
    assert json.loads(entry.payload)["action"] == "file"


def test_action_not_allowed_in_stage(cw, make_case):
    case = make_case()
    with pytest.raises(CaseActionRefused, match="案件当前环节为“案源登记”"):
        cw.perform(case, "decide", {})
    assert Case.objects.get(pk=case.pk).stage == "registered"
    assert not Step.objects.filter(case=case).exists()


def test_stale_expected_stage_refused(cw, make_case):
    case = make_case()
    with pytest.raises(CaseActionRefused, match="案件状态已变化"):
        cw.perform(case, "file", {}, expected_stage="investigating")


def test_officer_cannot_approve(cw, make_case):
    case = make_case()
    with pytest.raises(CaseActionRefused, match="负责人"):
        cw.perform(case, "file", {}, user="officer")


def test_unassigned_officer_refused(cw, make_case):
    case = make_case(
        "penalty_ordinary", "investigating", officers=[cw.officers["李明"], cw.officers["赵强"]]
    )
    with pytest.raises(CaseActionRefused, match="不是本案的承办人员"):
        cw.perform(case, "conclude", {"report": "x", "proposal": "penalize"}, user="officer2")


def test_supervisor_and_other_body_refused(cw, make_case):
    case = make_case()
    for user in ("supervisor", "marketofficer", "reviewer"):
        with pytest.raises(CaseActionRefused):
            cw.perform(case, "file", {}, user=user)


def test_required_field_refused_and_nothing_changed(cw, make_case):
    case = make_case("penalty_ordinary", "investigating")
    with pytest.raises(CaseActionRefused, match="请填写“调查终结报告"):
        cw.perform(case, "conclude", {"proposal": "penalize"}, user="officer")
    assert Case.objects.get(pk=case.pk).stage == "investigating"


def test_allowed_actions_give_reasons(cw, make_case):
    case = make_case()
    states = {s.action: s for s in services.allowed_actions(cw.users["officer"], case)}
    assert set(states) == {"file", "dismiss"}
    assert not states["file"].allowed and "负责人" in states["file"].reason
    head = {s.action: s for s in services.allowed_actions(cw.users["unithead"], case)}
    assert head["file"].allowed and head["file"].reason is None


def test_full_penalty_path_to_archive(make_case):
    case = make_case("penalty_ordinary", "archived")
    assert case.stage == "archived"
    assert case.decision_number.startswith("大兴乡罚决〔")
    assert case.closed_on and case.archived_at and case.served_on
    actions = list(case.steps.values_list("action", flat=True))
    assert actions[:2] == ["file", "conclude"] and actions[-1] == "archive"


def test_hearing_path(make_case):
    case = make_case("penalty_ordinary", "decided", hearing=True, fine="1000")
    assert case.data["hearing"]["held"] is True


def test_numbering_per_body_kind_and_year(cw, make_case):
    from django.db import transaction

    from zhifa.cases.numbering import next_number

    org = cw.orgs["daxing"]
    with transaction.atomic():
        assert [next_number(org, "测试", 2026) for _ in range(3)] == [1, 2, 3]
        assert next_number(org, "测试", 2027) == 1
        assert next_number(cw.orgs["county_market"], "测试", 2026) == 1


def test_add_party_validates_and_records(cw, make_case):
    from .conftest import company

    case = make_case()
    before = LedgerEntry.objects.count()
    party = services.add_party(cw.users["officer"], case, company())
    assert party.seq == 2 and LedgerEntry.objects.count() == before + 1
    with pytest.raises(CaseActionRefused, match="已在本案"):
        services.add_party(cw.users["officer"], case, company())
    with pytest.raises(CaseActionRefused, match="统一社会信用代码"):
        services.add_party(cw.users["officer"], case, {"kind": "legal", "name": "某公司"})
    with pytest.raises(CaseActionRefused, match="不是本案的承办人员"):
        services.add_party(
            cw.users["officer2"], make_case(officers=[cw.officers["李明"]]), company()
        )


def test_timeline_lists_the_ledger_entries_of_the_case(cw, make_case):
    from zhifa.cases.selectors import timeline

    case = make_case("penalty_ordinary", "investigating")
    assert [e.event_type for e in timeline(case)] == ["cases.registered", "cases.transition"]


def test_closed_case_cannot_change(cw, make_case):
    case = make_case("penalty_ordinary", "archived")
    with pytest.raises(CaseActionRefused, match="已结案"):
        services.assign_officer(cw.users["unithead"], case, cw.officers["岩温香"])
    with pytest.raises(CaseActionRefused, match="不能执行"):
        cw.perform(case, "archive", user="officer")


def test_api_client_handles_but_never_approves(cw, make_case):
    from zhifa.exchange.services import issue_token

    case = make_case("penalty_ordinary", "investigating")
    reader, _ = issue_token(None, "只读系统", cw.orgs["daxing"], "read")
    with pytest.raises(CaseActionRefused, match="cases.write"):
        services.perform(reader, case, "conclude", {"report": "报告", "proposal": "penalize"})
    writer, _ = issue_token(None, "移动执法终端", cw.orgs["daxing"], "cases.write")
    outsider, _ = issue_token(None, "市场监管系统", cw.orgs["county_market"], "cases.write")
    with pytest.raises(CaseActionRefused, match="执行"):
        services.perform(outsider, case, "conclude", {"report": "报告", "proposal": "penalize"})
    case = services.perform(writer, case, "conclude", {"report": "报告", "proposal": "penalize"})
    step = case.steps.order_by("-id").first()
    assert (step.actor, step.role) == (None, "api_client")
    assert step.actor_label.startswith(f"api:{writer.pk} ")
    with pytest.raises(CaseActionRefused, match="不能代替负责人审批"):
        services.perform(writer, case, "decide_minor", {"reason": "轻微"})


@pytest.mark.django_db(transaction=True)
def test_concurrent_numbers_are_unique(settings):
    """Run on PostgreSQL (several connections at once); SQLite serialises writers anyway."""
    import threading

    from django.db import connection, connections, transaction

    from zhifa.cases.numbering import next_number
    from zhifa.core import services as core_services

    if connection.vendor != "postgresql":
        pytest.skip("并发编号需在 PostgreSQL 上验证")
    region = core_services.create_region("530926", "耿马傣族佤族自治县", None)
    org = core_services.create_organization(
        None, name="并发测试乡人民政府", kind="government", region=region, is_enforcement_body=True
    )
    got: list[int] = []
    errors: list[BaseException] = []

    def work() -> None:
        try:
            for _ in range(10):
                with transaction.atomic():
                    got.append(next_number(org, "并发", 2026))
        except BaseException as e:  # noqa: BLE001 - reported below
            errors.append(e)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert sorted(got) == list(range(1, 41))
