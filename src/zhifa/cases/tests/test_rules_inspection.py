"""行政检查 rules: the published inspection list, approval, two officers, certificates shown."""

from __future__ import annotations

import pytest
from django.utils import timezone

from zhifa.cases.services import CaseActionRefused

pytestmark = pytest.mark.usefixtures("builtin_gates")
TODAY = timezone.localdate()


def test_matter_must_be_on_the_inspection_list(cw, make_case):
    with pytest.raises(CaseActionRefused, match="未列入本执法主体公布的行政检查事项清单"):
        make_case("inspection", matter=cw.matter("XZJC-004"))
    with pytest.raises(CaseActionRefused, match="不能适用"):
        make_case("inspection", matter=cw.matter("XZCF-001"))


def test_approval_is_the_heads(cw, make_case):
    case = make_case("inspection")
    with pytest.raises(CaseActionRefused, match="负责人"):
        cw.perform(case, "approve", {"plan": "方案"}, user="officer")


def test_inspection_needs_two_officers_and_shown_certificates(cw, make_case):
    case = make_case("inspection", "notified", officers=[cw.officers["李明"]])
    data = {"inspected_on": TODAY, "showed_certificate": True, "findings": "情况"}
    with pytest.raises(CaseActionRefused, match="第四十二条"):
        cw.perform(case, "inspect", data, user="officer")
    case = make_case("inspection", "notified")
    with pytest.raises(CaseActionRefused, match="出示执法证件"):
        cw.perform(case, "inspect", {**data, "showed_certificate": False}, user="officer")
    assert cw.perform(case, "inspect", data, user="officer").stage == "inspected"
