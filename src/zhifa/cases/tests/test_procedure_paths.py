"""Every procedure runs from its first stage to 归档 through the factory (which calls perform),
and every stage graph is well formed."""

from __future__ import annotations

import pytest

from zhifa.cases.procedures import PROCEDURES

pytestmark = pytest.mark.usefixtures("builtin_gates")


def test_graphs_are_well_formed():
    for proc in PROCEDURES.values():
        codes = [s.code for s in proc.stages]
        assert len(codes) == len(set(codes)), proc.code
        assert proc.stages[-1].terminal and proc.stages[-1].code == "archived"
        reachable = {proc.first_stage.code}
        changed = True
        while changed:
            changed = False
            for t in proc.transitions:
                if t.target and set(t.sources) & reachable and t.target not in reachable:
                    reachable.add(t.target)
                    changed = True
        assert reachable == set(codes), (proc.code, set(codes) - reachable)
        for t in proc.transitions:
            assert t.roles and t.label


@pytest.mark.parametrize(
    ("procedure", "options"),
    [
        ("penalty_ordinary", {}),
        ("penalty_ordinary", {"hearing": True, "fine": "1000"}),
        ("penalty_ordinary", {"branch": "minor"}),
        ("penalty_simplified", {}),
        ("penalty_simplified", {"fine": ""}),
        ("inspection", {}),
        ("coercion", {"measure_kind": "other"}),
        ("coercion", {"branch": "execution"}),
        ("licensing", {}),
    ],
)
def test_every_procedure_reaches_the_archive(make_case, procedure, options):
    case = make_case(procedure, "archived", **options)
    assert case.stage == "archived" and case.archived_at and case.closed_on
    steps = list(case.steps.values_list("to_stage", flat=True))
    assert steps[-1] == "archived"
    assert not case.deadlines.filter(status="open").exists()


def test_coercion_seizure_with_audio_video(make_case):
    case = make_case("coercion", "archived")
    assert case.measures.get().released_on
