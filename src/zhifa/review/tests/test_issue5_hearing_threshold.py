"""Issue 5: 较大数额 of 行政处罚法第六十三条第一款第一项、第二项 from the body's catalogue. The
review app registers ``catalogue.hearing_threshold`` with ``cases.gates``; the penalty's
``approve_penalty`` refuses a fine or confiscation at or above the threshold for the party's
type without the right to a hearing told, quoting the catalogue rule and the article."""

from __future__ import annotations

from decimal import Decimal

import pytest

from zhifa.cases import gates
from zhifa.cases.services import CaseActionRefused
from zhifa.cases.tests.conftest import case_state as snapshot
from zhifa.cases.tests.conftest import company
from zhifa.review import catalogue as cat
from zhifa.review import services

pytestmark = pytest.mark.django_db


def proposal(fine: str = "", confiscation: str = "", **extra) -> dict:
    kinds = (["fine"] if fine else []) + (["confiscation"] if confiscation else [])
    return {
        "kinds": kinds,
        "fine": fine,
        "confiscation": confiscation,
        "facts": "未取得乡村建设规划许可证建房（示例）",
        "basis": "《中华人民共和国城乡规划法》第六十五条",
        **extra,
    }


def refused(cw, case, data, match) -> None:
    before = snapshot(case)
    with pytest.raises(CaseActionRefused, match=match):
        cw.perform(case, "approve_penalty", data)
    assert snapshot(case) == before


def publish(cw, rules: list[dict]):
    return services.publish_catalogue(cw.users["bodyhead"], cw.orgs["daxing"], rules)


def rule(kind, label, scope, threshold, basis=cat.ART63 + "第（一）项", **kw) -> dict:
    return {
        "kind": kind,
        "label": label,
        "categories": ["penalty"],
        "party_scope": scope,
        "threshold": threshold,
        "basis": basis,
        **kw,
    }


def test_the_hook_is_registered():
    assert cat.hearing_threshold in gates.hearing_thresholds


def test_default_catalogue_without_a_catalogue_of_the_body(cw, make_case):
    case = make_case(stage="concluded")
    refused(
        cw,
        case,
        proposal("2000"),
        "第六十三条第一款.*“对自然人处较大数额罚款的”（默认目录清单：2000元以上，拟罚款2000.00元；"
        "《中华人民共和国行政处罚法》第六十三条第一款第（一）项）.*请勾选告知听证权利",
    )
    case = cw.perform(case, "approve_penalty", proposal("1999.99"))
    assert case.stage == "to_notify"


def test_the_bodys_catalogue_in_force_sets_the_amount_per_party_type(cw, make_case):
    publish(
        cw,
        [
            rule("fine", "对公民处一千元以上罚款的", "natural", "1000"),
            rule("fine", "对法人或者其他组织处五千元以上罚款的", "organisation", "5000"),
        ],
    )
    person_case = make_case(stage="concluded")
    refused(
        cw,
        person_case,
        proposal("1000"),
        "“对公民处一千元以上罚款的”（第1版目录清单：1000.00元以上",
    )
    assert cw.perform(
        person_case, "approve_penalty", proposal("1000", hearing_right=True)
    ).stage == ("to_notify")
    organisation = make_case(stage="concluded", parties=[company()])
    # 4,999.99 to an organisation is under its threshold; 1,000 for a person does not apply.
    assert cw.perform(organisation, "approve_penalty", proposal("4999.99")).stage == "to_notify"
    again = make_case(
        stage="concluded", parties=[company("另一示例公司（虚构）", id_number=_uscc())]
    )
    refused(cw, again, proposal("5000"), "对法人或者其他组织处五千元以上罚款的")


def _uscc() -> str:
    from zhifa.cases.tests.conftest import uscc_code

    return uscc_code("MA6K00002")


def test_confiscation_of_a_larger_amount(cw, make_case):
    case = make_case(stage="concluded")
    refused(
        cw,
        case,
        proposal(confiscation="2000"),
        "对自然人没收较大数额违法所得、较大价值非法财物的.*拟没收2000.00元.*第六十三条第一款第（二）项",
    )
    case = cw.perform(case, "approve_penalty", proposal(confiscation="2000", hearing_right=True))
    assert case.stage == "to_notify"


def test_a_fine_rule_on_another_ground_sets_no_hearing_amount(cw, make_case):
    """A catalogue may send fines of some amount to legal review on 第五十八条 grounds: that
    amount is not a 较大数额 of 第六十三条, so it asks for no hearing (the catalogue still makes
    the case major, with the same comparison)."""
    publish(
        cw,
        [
            rule(
                "fine",
                "罚款一千元以上的（本机关审核标准）",
                "",
                "1000",
                basis=cat.ART58 + "第（四）项",
            ),
        ],
    )
    case = make_case(stage="concluded")
    case = cw.perform(case, "approve_penalty", proposal("1500"))
    assert case.stage == "to_notify"
    assert cat.evaluate(case).major


def test_the_same_comparison_as_the_catalogue(cw, make_case):
    """At or above the threshold, for the party type: what `evaluate` calls major under the
    FINE rule is what asks for the hearing."""
    case = make_case(stage="concluded")
    for fine, expected in (("1999.99", False), ("2000", True), ("2000.01", True)):
        penalty = {"kinds": ["fine"], "fine": fine, "confiscation": "0"}
        reasons = cat.hearing_threshold(case, penalty)
        facts = cat.facts_of(case)
        facts.fine, facts.penalty_kinds = Decimal(fine), ["fine"]
        by_catalogue = any(cat.matches(r, facts) for r in cat.DEFAULT_SPECS if r.kind == "fine")
        assert bool(reasons) is expected is by_catalogue


def test_the_simplified_procedure_is_unaffected(cw, make_case):
    publish(cw, [rule("fine", "对公民处一百元以上罚款的", "natural", "100")])
    case = make_case("penalty_simplified", "decided", fine="150")
    assert case.stage == "decided" and case.fine_amount == Decimal("150")
