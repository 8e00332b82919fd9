"""Review fixtures on top of the cases app's (大兴乡, its register and power list, `make_case`
driving a case through the real case services): the two registered legal reviewers, full
materials, a checklist, and a major case waiting for its decision."""

from __future__ import annotations

import pytest
from django.utils import timezone

from zhifa.cases.tests import conftest as cases_fixtures
from zhifa.registry.models import LegalReviewer
from zhifa.review.checklist import CHECKLIST

# The cases app's fixtures, shared rather than copied: a case is always built by its services.
cw = cases_fixtures.cw
make_case = cases_fixtures.make_case

MATERIALS = {
    "draft_decision": "行政处罚决定书（代拟稿）",
    "investigation_report": "调查终结报告",
    "evidence_list": "证据目录（共12页）",
    "legal_basis": "《中华人民共和国城乡规划法》第六十五条",
    "discretion": "裁量说明：一般情节",
}
# >= 2,000 yuan for a natural person: major under the default catalogue, and a 较大数额罚款 that
# carries the right to a hearing (行政处罚法第六十三条第一款第一项): told in every such case.
MAJOR_FINE = "5000"


def all_ok(**overrides) -> dict:
    findings = {code: {"result": "ok", "comment": ""} for code, _ in CHECKLIST}
    findings.update(overrides)
    return findings


@pytest.fixture
def reviewers(cw):
    by_kind = {}
    for r in LegalReviewer.objects.filter(body=cw.body, active=True).select_related("officer"):
        by_kind["officer" if r.officer_id else "adviser"] = r
    return by_kind


@pytest.fixture
def major_case(cw, make_case):
    """A penalty case with a 5,000 yuan fine proposed to a natural person, notified, statement
    waived: everything the decision needs except the legal review."""
    case = make_case(stage="notified", fine=MAJOR_FINE, hearing_right=True)
    return cw.perform(
        case,
        "waive_statement",
        {"waived_on": timezone.localdate(), "waiver": "当事人书面声明放弃陈述申辩"},
        user="officer",
    )


def decide_data(fine: str = MAJOR_FINE) -> dict:
    return {
        "kinds": ["fine"],
        "fine": fine,
        "facts": "未取得乡村建设规划许可证建房（示例）",
        "basis": "《中华人民共和国城乡规划法》第六十五条",
    }
