"""Demo publicity of 大兴乡: the before-publicity snapshot of its profile and decisions published
after the fact. The decisions are the demo cases' own (the case module's demo decides them and
the after-decision hook drafts their publications); they are reviewed and published here, the
newest left as a draft for the workflow. Without demo cases, a few decisions from DecisionFacts
stand in. Every party, name and number is fictional. Through the real services; idempotent."""

from __future__ import annotations

import datetime

from django.utils import timezone

from zhifa.core.demo import DemoWorld

from . import selectors, services
from .models import PartyKind, PubCategory, Publication, PubStatus

DEMO_DECISIONS = [
    {
        "key": "demo:daxing-1",
        "category": PubCategory.PENALTY,
        "title": "未经批准占用乡村道路堆放建筑材料",
        "number": "耿大兴罚决〔2026〕1号",
        "party": ("岩某示例", PartyKind.NATURAL, ""),
        "days_ago": 20,
        "facts": (
            "当事人岩某示例（公民身份号码530926198001010011，联系电话13800000000，"
            "住址耿马傣族佤族自治县大兴乡示例村3组8号）于2026年3月在大兴乡示例村村道上堆放砂石，"
            "影响通行，经责令改正后逾期未改正。"
        ),
        "basis": "《中华人民共和国公路法》第四十六条",
        "penalty": "罚款人民币500元",
        "conclusion": "决定给予罚款人民币500元的行政处罚。",
    },
    {
        "key": "demo:daxing-2",
        "category": PubCategory.PENALTY,
        "title": "经营场所未取得食品经营许可",
        "number": "耿大兴罚决〔2026〕2号",
        "party": ("耿马示例农资经营部", PartyKind.OTHER, ""),
        "days_ago": 12,
        "facts": (
            "当事人耿马示例农资经营部（经营者：李示范，男）在大兴乡集镇从事预包装食品销售，"
            "未取得食品经营许可。"
        ),
        "basis": "《中华人民共和国食品安全法》第三十五条第一款",
        "penalty": "没收违法所得，罚款人民币5000元",
        "conclusion": "决定没收违法所得，并处罚款人民币5000元。",
    },
    {
        "key": "demo:daxing-3",
        "category": PubCategory.LICENSING,
        "title": "乡村建设规划许可",
        "number": "耿大兴许〔2026〕3号",
        "party": ("王某示例", PartyKind.NATURAL, ""),
        "days_ago": 5,
        "facts": "申请人王某示例申请在示例村宅基地新建住房一栋，经审查符合村庄规划。",
        "basis": "《中华人民共和国城乡规划法》第四十一条",
        "penalty": "",
        "conclusion": "准予乡村建设规划许可。",
    },
    {
        "key": "demo:daxing-4",
        "category": PubCategory.PENALTY,
        "title": "未按规定处置农业废弃物",
        "number": "耿大兴罚决〔2026〕4号",
        "party": ("赵某示例", PartyKind.NATURAL, ""),
        "days_ago": 2,
        "facts": "当事人赵某示例在示例村河道旁焚烧农膜。",
        "basis": "",
        "penalty": "警告",
        "conclusion": "决定给予警告的行政处罚。",
    },
]


def build_demo(world: DemoWorld, today: datetime.date | None = None) -> None:
    today = today or timezone.localdate()
    org = world.orgs["daxing"]
    body = getattr(org, "enforcement_profile", None)
    if body is not None:
        content = selectors.public_profile(body, today)
        services.snapshot_body(org, content, selectors.profile_digest(content))
    drafts = list(
        Publication.objects.filter(
            organization=org, source_subject__startswith="case:", status=PubStatus.DRAFT
        ).order_by("id")
    )
    if drafts or Publication.objects.filter(source_subject__startswith="case:").exists():
        for pub in drafts[:-1]:
            services.review(None, pub)
            services.publish(None, pub)
        return
    for i, item in enumerate(DEMO_DECISIONS):
        if Publication.objects.filter(source_subject=item["key"]).exists():
            continue
        name, kind, code = item["party"]
        pub = services.draft_from_facts(
            None,
            services.DecisionFacts(
                organization=org,
                source_subject=item["key"],
                category=item["category"],
                title=item["title"],
                document_number=item["number"],
                party_name=name,
                party_kind=kind,
                party_code=code,
                conclusion=item["conclusion"],
                facts=item["facts"],
                legal_basis=item["basis"],
                penalty=item["penalty"],
                decided_on=today - datetime.timedelta(days=item["days_ago"]),
            ),
        )
        # The newest stays a draft, so the staff list shows the workflow.
        if i < len(DEMO_DECISIONS) - 1 and pub.status == PubStatus.DRAFT:
            services.review(None, pub)
            services.publish(None, pub)
