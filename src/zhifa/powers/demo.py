"""Demo power list for 大兴乡: the published 2026 权责清单 with township enforcement matters, each
citing a real article (the basis is 《法名》第N条, linked to the law library when imported), and
the reference discretion tables when ``../shared/data/discretion`` is there. Idempotent: when a
2026 list of 大兴乡 exists nothing is added, and the tables are imported only into an empty
benchmark table."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.db import transaction

from zhifa.core.demo import DemoWorld

from . import services
from .importer import REFERENCE_FILES, import_discretion
from .models import DiscretionBenchmark, PowerList

YEAR = 2026
TITLE = "耿马傣族佤族自治县大兴乡人民政府2026年权责清单"

COUNTY = "耿马傣族佤族自治县"
NATURAL_RESOURCES = f"{COUNTY}自然资源局"
AGRICULTURE = f"{COUNTY}农业农村局"
FORESTRY = f"{COUNTY}林业和草原局"
HOUSING = f"{COUNTY}住房和城乡建设局"
ENVIRONMENT = "临沧市生态环境局耿马分局"
FIRE = f"{COUNTY}消防救援大队"
EMERGENCY = f"{COUNTY}应急管理局"
CULTURE = f"{COUNTY}文化和旅游局"

PENALTY_STEPS = ["立案", "调查取证", "法制审核", "告知陈述申辩", "作出决定", "送达", "执行"]
COERCION_STEPS = ["催告", "听取陈述申辩", "作出强制执行决定", "公告", "实施", "制作笔录"]
INSPECTION_STEPS = ["制定检查计划", "双随机抽取", "实施检查", "制作检查记录", "结果公示"]
LICENSING_STEPS = ["申请", "受理", "审查", "现场踏勘", "决定", "送达"]
ADJUDICATION_STEPS = ["申请", "受理", "调查", "调解", "作出处理决定", "送达"]

# code, name, category, basis (《法名》第N条…), delegated from ("" = the township's own power),
# on the inspection list
MATTERS = [
    (
        "XZCF-001",
        "对在乡、村庄规划区内未依法取得乡村建设规划许可证进行建设的行政处罚",
        "penalty",
        "《中华人民共和国城乡规划法》第六十五条",
        "",
        False,
    ),
    (
        "XZCF-002",
        "对未按照乡村建设规划许可证的规定进行建设的行政处罚",
        "penalty",
        "《中华人民共和国城乡规划法》第六十五条",
        "",
        False,
    ),
    (
        "XZCF-003",
        "对农村村民未经批准或者采取欺骗手段骗取批准，非法占用土地建住宅的行政处罚",
        "penalty",
        "《中华人民共和国土地管理法》第七十八条",
        AGRICULTURE,
        False,
    ),
    (
        "XZCF-004",
        "对占用耕地建窑、建坟或者擅自在耕地上建房、挖砂、采石、采矿、取土等破坏种植条件的行政处罚",
        "penalty",
        "《中华人民共和国土地管理法》第七十五条",
        NATURAL_RESOURCES,
        False,
    ),
    (
        "XZCF-005",
        "对在国土空间规划确定的禁止开垦的范围内从事土地开发活动的行政处罚",
        "penalty",
        "《中华人民共和国土地管理法实施条例》第五十七条第二款",
        NATURAL_RESOURCES,
        False,
    ),
    (
        "XZCF-006",
        "对进行开垦、采石、采砂、采土或者其他活动，造成林木、林地毁坏的行政处罚",
        "penalty",
        "《中华人民共和国森林法》第七十四条第一款",
        FORESTRY,
        False,
    ),
    (
        "XZCF-007",
        "对在幼林地砍柴、毁苗、放牧造成林木毁坏的行政处罚",
        "penalty",
        "《中华人民共和国森林法》第七十四条第二款",
        FORESTRY,
        False,
    ),
    (
        "XZCF-008",
        "对盗伐林木的行政处罚",
        "penalty",
        "《中华人民共和国森林法》第七十六条第一款",
        FORESTRY,
        False,
    ),
    (
        "XZCF-009",
        "对滥伐林木的行政处罚",
        "penalty",
        "《中华人民共和国森林法》第七十六条第二款",
        FORESTRY,
        False,
    ),
    (
        "XZCF-010",
        "对未经审核同意擅自改变林地用途的行政处罚",
        "penalty",
        "《中华人民共和国森林法》第七十三条",
        FORESTRY,
        False,
    ),
    (
        "XZCF-011",
        "对收购、加工、运输明知是盗伐、滥伐等非法来源的林木的行政处罚",
        "penalty",
        "《中华人民共和国森林法》第七十八条",
        FORESTRY,
        False,
    ),
    (
        "XZCF-012",
        "对伪造、变造、买卖、租借采伐许可证的行政处罚",
        "penalty",
        "《中华人民共和国森林法》第七十七条",
        FORESTRY,
        False,
    ),
    (
        "XZCF-013",
        "对未经批准或者未按照规定的时间、区域和采挖方式在草原上进行采土、采砂、"
        "采石等活动的行政处罚",
        "penalty",
        "《中华人民共和国草原法》第六十八条",
        FORESTRY,
        False,
    ),
    (
        "XZCF-014",
        "对非法开垦草原的行政处罚",
        "penalty",
        "《中华人民共和国草原法》第六十六条",
        FORESTRY,
        False,
    ),
    (
        "XZCF-015",
        "对个人损坏、挪用消防设施、器材，占用、堵塞、封闭疏散通道、"
        "安全出口或者消防车通道等行为的行政处罚",
        "penalty",
        "《中华人民共和国消防法》第六十条第二款",
        FIRE,
        False,
    ),
    (
        "XZCF-016",
        "对单位消防设施、器材或者消防安全标志的配置、设置不符合标准或者未保持完好有效的行政处罚",
        "penalty",
        "《中华人民共和国消防法》第六十条第一款第（一）项",
        FIRE,
        False,
    ),
    (
        "XZCF-017",
        "对生产经营单位未设置安全警示标志、餐饮等行业使用燃气未安装可燃气体报警装置等的行政处罚",
        "penalty",
        "《中华人民共和国安全生产法》第九十九条",
        EMERGENCY,
        False,
    ),
    (
        "XZCF-018",
        "对在人口集中地区露天焚烧秸秆、落叶等产生烟尘污染的物质的行政处罚",
        "penalty",
        "《中华人民共和国大气污染防治法》第一百一十九条第一款",
        ENVIRONMENT,
        False,
    ),
    (
        "XZCF-019",
        "对在人口集中地区焚烧沥青、油毡、橡胶、塑料、皮革、"
        "垃圾等产生有毒有害烟尘和恶臭气体的物质的行政处罚",
        "penalty",
        "《中华人民共和国大气污染防治法》第一百一十九条第二款",
        ENVIRONMENT,
        False,
    ),
    (
        "XZCF-020",
        "对在当地人民政府禁止的时段和区域内露天烧烤食品或者为露天烧烤食品提供场地的行政处罚",
        "penalty",
        "《中华人民共和国大气污染防治法》第一百一十八条第三款",
        ENVIRONMENT,
        False,
    ),
    (
        "XZCF-021",
        "对随意倾倒、抛撒、堆放或者焚烧生活垃圾的行政处罚",
        "penalty",
        "《中华人民共和国固体废物污染环境防治法》第一百一十一条第一款第（一）项",
        HOUSING,
        False,
    ),
    (
        "XZCF-022",
        "对工程施工单位擅自倾倒、抛撒或者堆放工程施工过程中产生的建筑垃圾的行政处罚",
        "penalty",
        "《中华人民共和国固体废物污染环境防治法》第一百一十一条第一款第（四）项",
        HOUSING,
        False,
    ),
    (
        "XZCF-023",
        "对商业经营活动中使用高音广播喇叭或者采用其他持续反复发出高噪声的方法进行广告宣传的行政处罚"
        "对商业经营活动中使用高音广播喇叭或者采用其他持续反复发出高噪声的方法进行广告宣传的行政处罚",
        "penalty",
        "《中华人民共和国噪声污染防治法》第八十一条",
        ENVIRONMENT,
        False,
    ),
    (
        "XZCF-024",
        "对在噪声敏感建筑物集中区域使用高音广播喇叭、公共场所活动音量过大等的行政处罚",
        "penalty",
        "《中华人民共和国噪声污染防治法》第八十二条",
        ENVIRONMENT,
        False,
    ),
    (
        "XZCF-025",
        "对饲养动物未按照强制免疫计划实施免疫接种、犬只未定期进行狂犬病免疫接种的行政处罚",
        "penalty",
        "《中华人民共和国动物防疫法》第九十二条",
        AGRICULTURE,
        False,
    ),
    (
        "XZCF-026",
        "对未按照规定处理或者随意弃置病死动物、病害动物产品的行政处罚",
        "penalty",
        "《中华人民共和国动物防疫法》第九十八条第（七）项",
        AGRICULTURE,
        False,
    ),
    (
        "XZCF-027",
        "对兴办畜禽养殖场未备案，畜禽养殖场未建立或者未按照规定保存养殖档案的行政处罚",
        "penalty",
        "《中华人民共和国畜牧法》第八十六条",
        AGRICULTURE,
        False,
    ),
    (
        "XZCF-028",
        "对未按照规定开具、收取或者保存承诺达标合格证的行政处罚",
        "penalty",
        "《中华人民共和国农产品质量安全法》第七十三条",
        AGRICULTURE,
        False,
    ),
    (
        "XZCF-029",
        "对损毁不可移动文物保护标志的行政处罚",
        "penalty",
        "《中华人民共和国文物保护法》第八十三条第二款",
        CULTURE,
        False,
    ),
    (
        "XZQZ-001",
        "对逾期不改正的违法乡村建设的强制拆除",
        "coercion",
        "《中华人民共和国城乡规划法》第六十五条",
        "",
        False,
    ),
    (
        "XZQZ-002",
        "对占用、堵塞、封闭疏散通道、安全出口、消防车通道等经责令改正拒不改正的强制执行",
        "coercion",
        "《中华人民共和国消防法》第六十条第三款",
        FIRE,
        False,
    ),
    (
        "XZQZ-003",
        "对不符合安全生产标准的设施、设备、器材及违法危险物品的查封、扣押",
        "coercion",
        "《中华人民共和国安全生产法》第六十五条第一款第（四）项",
        EMERGENCY,
        False,
    ),
    (
        "XZJC-001",
        "对本行政区域内生产经营单位安全生产状况的监督检查",
        "inspection",
        "《中华人民共和国安全生产法》第九条第二款",
        "",
        True,
    ),
    (
        "XZJC-002",
        "对本行政区域内草原保护、建设和利用情况的监督检查",
        "inspection",
        "《中华人民共和国草原法》第八条第三款",
        "",
        True,
    ),
    (
        "XZJC-003",
        "对违反农村宅基地管理法律、法规行为的监督检查",
        "inspection",
        "《中华人民共和国土地管理法》第六十七条第二款",
        AGRICULTURE,
        True,
    ),
    (
        "XZJC-004",
        "对森林资源保护、修复、利用、更新的监督检查",
        "inspection",
        "《中华人民共和国森林法》第六十六条",
        FORESTRY,
        False,
    ),
    (
        "XZXK-001",
        "乡村建设规划许可（乡镇企业、乡村公共设施和公益事业建设申请的受理和报送）",
        "licensing",
        "《中华人民共和国城乡规划法》第四十一条",
        "",
        False,
    ),
    (
        "XZXK-002",
        "农村村民住宅用地审核批准",
        "licensing",
        "《中华人民共和国土地管理法》第六十二条第四款",
        "",
        False,
    ),
    (
        "XZXK-003",
        "农村居民采伐自留山和个人承包集体林地上林木的采伐许可证核发",
        "licensing",
        "《中华人民共和国森林法》第五十七条第三款",
        FORESTRY,
        False,
    ),
    (
        "XZCJ-001",
        "个人之间、个人与单位之间林木所有权和林地使用权争议的处理",
        "adjudication",
        "《中华人民共和国森林法》第二十二条第二款",
        "",
        False,
    ),
    (
        "XZCJ-002",
        "个人之间、个人与单位之间土地所有权和使用权争议的处理",
        "adjudication",
        "《中华人民共和国土地管理法》第十四条第二款",
        "",
        False,
    ),
    (
        "XZCJ-003",
        "个人之间、个人与单位之间草原所有权、使用权争议的处理",
        "adjudication",
        "《中华人民共和国草原法》第十六条第二款",
        "",
        False,
    ),
]

GUIDE = {
    "penalty": {
        "procedure_steps": PENALTY_STEPS,
        "time_limit": "自立案之日起九十日内作出处罚决定",
        "guide_time_limit": "九十日（案情复杂的经负责人批准可延长）",
        "acceptance_conditions": "有违法事实且属于本机关管辖，依法应当给予行政处罚的，予以立案。",
        "materials": "举报（投诉）材料或者检查发现的线索；现场检查笔录、询问笔录、照片等证据。",
    },
    "coercion": {
        "procedure_steps": COERCION_STEPS,
        "time_limit": "催告书载明的履行期限届满后依法实施",
        "guide_time_limit": "依《中华人民共和国行政强制法》规定的期限",
        "acceptance_conditions": "当事人在决定的期限内不履行义务，经催告仍不履行的。",
        "materials": "行政决定书、催告书、当事人陈述申辩记录、现场笔录。",
    },
    "inspection": {
        "procedure_steps": INSPECTION_STEPS,
        "time_limit": "按年度检查计划实施",
        "guide_time_limit": "检查结束后二十个工作日内公示结果",
        "acceptance_conditions": "列入年度检查计划或者接到举报、发现线索的。",
        "materials": "检查通知书（需要时）、执法证件、检查记录表。",
    },
    "licensing": {
        "procedure_steps": LICENSING_STEPS,
        "time_limit": "法定二十个工作日",
        "guide_time_limit": "十个工作日",
        "acceptance_conditions": (
            "申请人身份及申请事项符合法律法规规定，申请材料齐全、符合法定形式。"
        ),
        "materials": (
            "申请表；申请人身份证明；用地或者林权证明；位置图或者设计图；村民小组、村民委员会意见。"
        ),
    },
    "adjudication": {
        "procedure_steps": ADJUDICATION_STEPS,
        "time_limit": "自受理之日起六十日内作出处理决定",
        "guide_time_limit": "六十日",
        "acceptance_conditions": (
            "争议当事人为个人之间或者个人与单位之间，协商不成并书面申请处理的。"
        ),
        "materials": "处理申请书；当事人身份证明；权属证明材料；争议地块位置图及证人证言等。",
    },
}

PLACE = "耿马傣族佤族自治县大兴乡人民政府便民服务中心（示例）"
CONTACT = "0883-0000103（示例）"


def discretion_dir() -> Path:
    """``../shared/data/discretion`` next to the repository (BASE_DIR is src/zhifa)."""
    return Path(settings.BASE_DIR).resolve().parents[1].parent / "shared" / "data" / "discretion"


def import_reference_tables(folder: Path | None = None) -> int:
    """Import the reference tables once (none imported yet); files not there are skipped."""
    folder = folder or discretion_dir()
    if DiscretionBenchmark.objects.filter(organization__isnull=True).exists():
        return 0
    if not folder.is_dir():
        return 0
    imported = 0
    for name in REFERENCE_FILES:
        path = folder / name
        if path.is_file():
            import_discretion(path)
            imported += 1
    return imported


@transaction.atomic
def build_powers_demo(world: DemoWorld) -> PowerList:
    """The published 2026 list (created once; an existing 2026 list of 大兴乡 is left alone)."""
    org = world.orgs["daxing"]
    existing = PowerList.objects.filter(organization=org, year=YEAR).order_by("-version").first()
    if existing is not None:
        return existing
    plist = services.create_list(None, org, YEAR, TITLE)
    team, agri = world.orgs["daxing_team"], world.orgs["daxing_agri"]
    for i, (code, name, category, basis, delegated, listed) in enumerate(MATTERS, start=1):
        guide = GUIDE[category]
        unit = agri if category in ("licensing", "adjudication") else team
        services.save_matter(
            None,
            plist,
            code,
            name=name,
            category=category,
            basis_text=basis,
            responsible_unit=unit,
            fees="不收费",
            place=PLACE,
            contact=CONTACT,
            on_inspection_list=listed,
            delegated_from=delegated,
            sort_order=i,
            **guide,
        )
    return services.publish_list(None, plist)


# 大兴乡's own benchmark table (an example of the grading a township sets within the statutory
# range; the legal bases quote 森林法 2019 verbatim, from ../shared/data/laws).
BENCHMARK_SOURCE = "耿马傣族佤族自治县大兴乡人民政府林业行政处罚裁量基准（示例）"
BENCHMARK_SECTION = f"林业（受{FORESTRY}委托）"
BENCHMARKS = [
    {
        "item_no": "1",
        "violation": "滥伐林木",
        "legal_basis": "《中华人民共和国森林法》第七十六条第二款：“滥伐林木的，由县级以上人民政府"
        "林业主管部门责令限期在原地或者异地补种滥伐株数一倍以上三倍以下的树木，可以处滥伐林木价值"
        "三倍以上五倍以下的罚款。”",
        "grades": [
            ("轻微", "滥伐林木价值较小，主动消除或者减轻危害后果，并按期完成补种的", "3", "3.5"),
            ("一般", "不属于轻微、严重情形的", "3.5", "4.5"),
            ("严重", "在自然保护地或者公益林内滥伐，或者拒不补种、经责令后继续滥伐的", "4.5", "5"),
        ],
        "base": "滥伐林木价值",
        "other": "责令限期在原地或者异地补种滥伐株数一倍以上三倍以下的树木",
    },
    {
        "item_no": "2",
        "violation": "伪造、变造、买卖、租借采伐许可证",
        "legal_basis": "《中华人民共和国森林法》第七十七条：“违反本法规定，伪造、变造、买卖、租借"
        "采伐许可证的，由县级以上人民政府林业主管部门没收证件和违法所得，并处违法所得一倍以上三倍"
        "以下的罚款；没有违法所得的，可以处二万元以下的罚款。”",
        "grades": [
            ("有违法所得·一般", "有违法所得，首次且及时改正的", "1", "2"),
            ("有违法所得·严重", "有违法所得，多次实施或者造成林木被滥伐的", "2", "3"),
            ("无违法所得·一般", "没有违法所得，首次且及时改正的", None, "10000"),
            ("无违法所得·严重", "没有违法所得，多次实施或者造成林木被滥伐的", "10000", "20000"),
        ],
        "base": "违法所得",
        "other": "没收证件和违法所得",
    },
]


def build_benchmarks(world: DemoWorld) -> None:
    """大兴乡's own benchmarks through the services (a second run changes nothing)."""
    for item in BENCHMARKS:
        grades = []
        for label, conditions, low, high in item["grades"]:
            grade = {"label": label, "conditions": conditions, "other_penalties": item["other"]}
            if label.startswith("无违法所得"):
                grade.update(fine_min=low, fine_max=high)
            else:
                grade.update(multiple_min=low, multiple_max=high, multiple_base=item["base"])
            grades.append(grade)
        services.save_benchmark(
            None,
            world.orgs["daxing"],
            BENCHMARK_SOURCE,
            item["item_no"],
            section=BENCHMARK_SECTION,
            violation=item["violation"],
            legal_basis=item["legal_basis"],
            grades=grades,
        )


def build_demo(world: DemoWorld) -> PowerList:
    plist = build_powers_demo(world)
    import_reference_tables()
    build_benchmarks(world)
    return plist
