"""Demo of the review loop for 大兴乡 (everyone fictional), built through the case and review
services as the demo users:

- the body head publishes version 1 of the catalogue (the defaults, with a 5-day limit);
- case A (a 20,000 yuan fine proposed to a natural person: major) is sent to review, the
  reviewer answers 存在问题 (discretion not explained), the handler resubmits and the second
  round is 同意;
- case B (declared complex and of several legal relationships: major, and collective
  deliberation required) passes review and waits for the heads' collective deliberation.

Idempotent: a case already made (found by its title) is left as it is."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone
from stdnum.cn import ric

from zhifa.cases import services as case_services
from zhifa.cases.models import Case
from zhifa.core.demo import DemoWorld
from zhifa.powers.models import Matter
from zhifa.registry.models import LegalReviewer, Officer

from . import services
from .catalogue import catalogue_in_force
from .checklist import CHECKLIST

TITLE_A = "杨某未取得乡村建设规划许可证建设经营用房案（演示）"
TITLE_B = "某种植专业合作社占用耕地建设仓储设施案（演示）"

MATERIALS = {
    "draft_decision": "行政处罚决定书（代拟稿）",
    "investigation_report": "案件调查终结报告",
    "evidence_list": "证据目录：现场检查笔录、询问笔录、现场照片12张、测量记录",
    "legal_basis": "《中华人民共和国城乡规划法》第六十五条",
    "discretion": "罚款数额的裁量说明（首次送审时未附）",
}


def _citizen_id(born: str, serial: int) -> str:
    head = f"530926{born}{serial:03d}"
    return head + ric.calc_check_digit(head + "0")


def _findings(**problems: str) -> dict:
    return {
        code: {"result": "problem", "comment": problems[code]}
        if code in problems
        else {"result": "ok", "comment": ""}
        for code, _ in CHECKLIST
    }


def _case(world: DemoWorld, title: str, matter_code: str, party: dict, fine: str) -> Case:
    """A penalty case up to 拟处罚（待告知）: registered, filed, investigation concluded, the
    head's proposal recorded."""
    today = timezone.localdate()
    body = world.orgs["daxing"]
    matter = (
        Matter.objects.filter(power_list__organization=body, code=matter_code)
        .order_by("-power_list__year", "-power_list__version")
        .first()
    )
    officers = Officer.objects.filter(name__in=["李明", "王芳"], body__organization=body)
    case = case_services.register_case(
        world.users["officer"],
        organization=body,
        unit=world.orgs["daxing_team"],
        matter=matter,
        procedure="penalty_ordinary",
        title=title,
        source="inspection",
        parties=[party],
        officer_ids=[o.pk for o in officers],
        place="大兴乡（演示地点）",
        occurred_on=today - datetime.timedelta(days=20),
        discovered_on=today - datetime.timedelta(days=12),
    )
    case = case_services.perform(world.users["unithead"], case, "file", {})
    case = case_services.perform(
        world.users["officer"],
        case,
        "conclude",
        {"report": "调查终结报告（演示）", "proposal": "penalize"},
    )
    return case_services.perform(
        world.users["unithead"],
        case,
        "approve_penalty",
        {
            "kinds": ["fine"],
            "fine": fine,
            "facts": "未取得许可进行建设（演示）",
            "basis": matter.basis_text or "见事项依据",
            # Told in both demo cases; case A's fine is a 较大数额罚款 (第六十三条第一款第一项).
            "hearing_right": True,
        },
    )


@transaction.atomic
def build_review_demo(world: DemoWorld) -> None:
    body = world.orgs["daxing"]
    if not LegalReviewer.objects.filter(body__organization=body, active=True).exists():
        return  # the register demo did not run: nobody could review
    head, officer, reviewer_user = (
        world.users["bodyhead"],
        world.users["officer"],
        world.users["reviewer"],
    )
    if catalogue_in_force(body.pk) is None:
        services.publish_catalogue(
            head,
            body,
            services.default_rules(),
            note="依据行政处罚法第五十八条、第六十三条制定（演示）",
            time_limit=5,
        )
    reviewer = LegalReviewer.objects.get(
        body__organization=body, active=True, officer__user=reviewer_user
    )

    if not Case.objects.filter(organization=body, title=TITLE_A).exists():
        case = _case(
            world,
            TITLE_A,
            "XZCF-001",
            {
                "kind": "natural",
                "name": "杨某（虚构）",
                "id_number": _citizen_id("19780312", 517),
                "address": "大兴乡某村（虚构）",
            },
            "20000",
        )
        first = services.submit(
            officer,
            case,
            materials={k: v for k, v in MATERIALS.items() if k != "discretion"}
            | {"discretion": "见调查终结报告"},
            statement="拟对当事人处罚款二万元，属于较大数额罚款，提请法制审核。",
            reviewer=reviewer,
        )
        services.give_opinion(
            reviewer_user,
            first,
            opinion="problems",
            findings=_findings(discretion="未说明罚款数额在裁量基准中的档次及理由"),
            problems="请补充裁量说明：违法建设面积、是否可以采取改正措施，以及罚款数额适用的裁量档次。",
        )
        second = services.submit(
            officer,
            case,
            materials={**MATERIALS, "discretion": "裁量说明：违法建设面积86平方米，属一般情节"},
            statement="已按审核意见补充裁量说明。",
        )
        services.give_opinion(
            reviewer_user,
            second,
            opinion="agree",
            findings=_findings(),
            summary="事实清楚，证据充分，适用依据正确，裁量适当，同意作出处罚决定。",
        )

    if not Case.objects.filter(organization=body, title=TITLE_B).exists():
        case = _case(
            world,
            TITLE_B,
            "XZCF-004",
            {
                "kind": "natural",
                "name": "岩某（虚构）",
                "id_number": _citizen_id("19850620", 233),
                "address": "大兴乡某村（虚构）",
            },
            "8000",
        )
        services.determine(
            officer, case, {"complex": True, "several_relations": True, "other_basis": ""}
        )
        review_round = services.submit(
            officer,
            case,
            materials=MATERIALS | {"legal_basis": "《中华人民共和国土地管理法》第七十五条"},
            statement="涉及土地承包经营与设施农业用地备案两个法律关系，提请法制审核。",
            reviewer=reviewer,
        )
        services.give_opinion(
            reviewer_user,
            review_round,
            opinion="agree",
            findings=_findings(),
            summary="同意。本案情节复杂，建议提交负责人集体讨论决定。",
        )
