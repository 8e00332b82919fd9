"""The cases demo: every procedure in every stage for 大兴乡, built through the services; the
finished penalty case carries its whole trail; running it twice changes nothing; the parties
are fictional with valid check digits."""

from __future__ import annotations

import pytest

from zhifa.cases import demo
from zhifa.cases.models import Case, Record, Service, Step
from zhifa.cases.procedures import PROCEDURES
from zhifa.core.validators import validate_citizen_id, validate_uscc
from zhifa.evidence.models import EvidenceRecord
from zhifa.ledger.models import LedgerEntry

from .records_support import use_tmp_storage


@pytest.fixture
def built(cw, settings, tmp_path):
    use_tmp_storage(settings, tmp_path)
    return demo.build_demo(cw.world)


def test_every_procedure_in_every_stage(built):
    have = {(c.procedure, c.stage) for c in built}
    want = {(code, s.code) for code, p in PROCEDURES.items() for s in p.stages}
    assert want <= have, sorted(want - have)
    assert len(built) == len(demo.demo_cases()) == Case.objects.count()
    assert {c.organization.name for c in built} == {"耿马傣族佤族自治县大兴乡人民政府"}


def test_every_demo_case_was_made_through_the_services(built):
    for case in built:
        entries = LedgerEntry.objects.filter(subject=case.subject)
        assert entries.filter(event_type="cases.registered").count() == 1
        # Each transition is one Step pointing at its ledger entry.
        steps = list(Step.objects.filter(case=case).values_list("ledger_seq", flat=True))
        assert entries.filter(seq__in=steps, event_type="cases.transition").count() == len(steps)
        if case.stage != PROCEDURES[case.procedure].first_stage.code:
            assert steps, case.title


def test_finished_penalty_case_has_its_whole_trail(built):
    case = Case.objects.get(title=demo.FINISHED_TITLE)
    assert case.procedure == "penalty_ordinary" and case.stage == "archived"
    assert case.archived_at and case.closed_on and case.decided_on and case.served_on
    assert case.fine_amount == 1500
    actions = list(case.steps.order_by("at", "id").values_list("action", flat=True))
    assert actions == [
        "file",
        "conclude",
        "approve_penalty",
        "notify",
        "waive_statement",
        "decide",
        "serve",
        "record_execution",
        "close",
        "archive",
    ]
    kinds = set(Record.objects.filter(case=case).values_list("kind", flat=True))
    assert {"interview", "on_site", "photo", "audio"} <= kinds
    assert Service.objects.filter(case=case, document="decision").count() == 1
    assert EvidenceRecord.objects.filter(subject=case.subject).count() >= 2
    events = set(
        LedgerEntry.objects.filter(subject=case.subject).values_list("event_type", flat=True)
    )
    assert {"cases.record_added", "cases.service_recorded", "cases.payment_recorded"} <= events


def test_fines_collected_on_the_spot_handed_over_or_pending(built):
    """行政处罚法第七十一条: one simplified case waits for the hand-over (its deadline open),
    one was handed over and paid into the bank before it was closed."""
    pending = Case.objects.get(title="周强露天烧烤案（演示·简易程序）")
    assert pending.data["execution"]["manner"] == "collected"
    assert pending.deadlines.filter(kind="handover", status="open").exists()
    done = Case.objects.get(title="岩所露天烧烤案（演示·简易程序）")
    assert done.stage == "closed"
    assert {"handover", "deposit"} <= set(done.data["execution"])
    assert not done.deadlines.filter(status="open").exists()


def test_a_case_in_investigation_carries_a_sampling_record(built):
    case = next(c for c in built if "抽样取证" in c.title)
    assert (case.stage, case.matter.code) == ("investigating", "XZCF-028")
    (sample,) = Record.objects.filter(case=case, kind="sampling")
    assert sample.content["disposal"] == "test" and sample.content["sample_quantity"] == "2"
    assert sample.officers.count() == 2
    assert LedgerEntry.objects.filter(subject=case.subject, seq=sample.ledger_seq).exists()


def test_running_twice_changes_nothing(built, cw):
    counts = (
        Case.objects.count(),
        LedgerEntry.objects.count(),
        Record.objects.count(),
        EvidenceRecord.objects.count(),
    )
    again = demo.build_demo(cw.world)
    assert [c.pk for c in again] == [c.pk for c in built]
    assert counts == (
        Case.objects.count(),
        LedgerEntry.objects.count(),
        Record.objects.count(),
        EvidenceRecord.objects.count(),
    )


def test_parties_are_fictional_with_valid_numbers(built):
    for case in built:
        for party in case.parties.all():
            assert "虚构" in party.name
            if party.kind == "natural":
                assert validate_citizen_id(party.id_number) == party.id_number
                assert party.id_number.startswith("530926")
            else:
                assert validate_uscc(party.id_number) == party.id_number


def test_the_review_catalogue_in_force_does_not_block_the_demo(cw, settings, tmp_path):
    """`zhifa demo` run a second time: the review app's catalogue is then in force, and its
    decision gate judges the demo's decisions (fines below the major-case thresholds)."""
    from zhifa.review.demo import build_review_demo

    use_tmp_storage(settings, tmp_path)
    build_review_demo(cw.world)
    made = demo.build_demo(cw.world)
    assert Case.objects.get(title=demo.FINISHED_TITLE).stage == "archived"
    assert len(made) == len(demo.demo_cases())


def test_without_a_power_list_it_does_nothing(world):
    assert demo.build_demo(world) == []
    assert not Case.objects.exists()
