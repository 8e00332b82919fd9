"""Masking of personal information. All people, numbers and codes here are fictional."""

import pytest

from zhifa.core.masking import (
    find_personal_items,
    mask_bank_account,
    mask_citizen_id,
    mask_landline,
    mask_person_name,
    mask_phone,
    mask_text,
)

ID = "11010519491231002X"
ID_2 = "530102199003071238"
USCC = "91350100M000100Y43"
USCC_DIGITS = "125300004312345672"  # all digits, valid check digit, no real birth date
CARD = "6222021234567890128"  # Luhn-valid
PHONE = "13800138000"


def test_mask_citizen_id_keeps_first_3_and_last_4():
    assert mask_citizen_id(ID) == "110***********002X"
    assert mask_citizen_id("110105491231002") == "110********1002"


def test_mask_phone():
    assert mask_phone("13812345678") == "138****5678"
    assert mask_phone("138-1234-5678") == "138-****-5678"
    assert mask_phone("+8613812345678") == "+86138****5678"


def test_mask_landline_keeps_area_code():
    assert mask_landline("0871-65123456") == "0871-******56"
    assert mask_landline("(010)87654321") == "(010)******21"


def test_mask_bank_account_keeps_last_4():
    assert mask_bank_account(CARD) == "*" * 15 + "0128"
    assert mask_bank_account("6222 0212 3456 7890 128") == "**** **** **** ***0 128"


@pytest.mark.parametrize(
    "name, masked",
    [
        ("张三", "张某"),
        ("王小明", "王某"),
        ("欧阳娜娜", "欧阳某"),
        ("司马光明", "司马某"),
        ("诸葛亮", "诸葛某"),
        ("欧阳", "欧某"),  # two characters: surname 欧, given name 阳
        (" 李四 ", "李某"),
        ("岩", "某"),
    ],
)
def test_mask_person_name(name, masked):
    assert mask_person_name(name) == masked


def test_mask_text_mixed():
    text = (
        f"当事人张三，公民身份号码{ID}，联系电话{PHONE}，固定电话0871-65123456，"
        f"收款账号{CARD}。委托单位某某有限公司（统一社会信用代码{USCC}）。张三签字。"
    )
    masked = mask_text(text, names=["张三"])
    assert masked == (
        "当事人张某，公民身份号码110***********002X，联系电话138****8000，"
        "固定电话0871-******56，收款账号***************0128。"
        f"委托单位某某有限公司（统一社会信用代码{USCC}）。张某签字。"
    )


def test_find_personal_items_reports_kinds_and_spans():
    text = f"李四（{ID_2}）电话 138 0013 8000，代码{USCC}"
    items = find_personal_items(text, names=["李四"])
    assert [(i.kind, i.text) for i in items] == [
        ("name", "李四"),
        ("citizen_id", ID_2),
        ("mobile", "138 0013 8000"),
    ]
    for item in items:
        assert text[item.start : item.end] == item.text
    assert items[1].label == "公民身份号码"


def test_uscc_is_never_masked_even_all_digits():
    text = f"统一社会信用代码：{USCC}；事业单位代码：{USCC_DIGITS}"
    assert mask_text(text) == text
    assert find_personal_items(text) == []


def test_number_valid_as_both_id_and_uscc_is_masked():
    both = "53010219850601015X"  # fictional; passes both check digits
    from zhifa.core.validators import is_valid_citizen_id, is_valid_uscc

    assert is_valid_citizen_id(both) and is_valid_uscc(both)
    assert mask_text(f"号码{both}") == "号码530***********015X"


def test_mistyped_id_number_is_still_masked():
    assert mask_text("身份证110105194912310021。") == "身份证110***********0021。"


def test_case_numbers_and_dates_are_left_alone():
    text = (
        "案号：云昆五华市监罚〔2024〕123号，流水号2024053000123456，"
        "日期2024-05-30，金额10000元，文号20240530001。"
    )
    assert mask_text(text) == text


def test_luhn_valid_card_is_masked_without_context():
    assert mask_text(f"已转入{CARD}。") == "已转入***************0128。"


def test_account_without_luhn_is_masked_only_in_account_context():
    assert mask_text("对公账号：6217000000001234") == "对公账号：************1234"
    assert mask_text("编号6217000000001234") == "编号6217000000001234"


def test_grouped_card_number_in_text():
    assert mask_text("卡号 6222 0212 3456 7890 128 已核实") == (
        "卡号 **** **** **** ***0 128 已核实"
    )


def test_digits_inside_longer_runs_are_not_phones():
    text = "设备编号A13800138000B，序列号9913800138000"
    assert mask_text(text) == text


def test_phone_with_country_code_and_old_id():
    assert mask_text("电话+86 138 0013 8000") == "电话+86 138 **** 8000"
    assert mask_text("旧证110105491231002") == "旧证110********1002"


def test_names_longest_first_and_compound_surname():
    text = "张三丰与张三、欧阳娜娜到场"
    assert mask_text(text, names=["张三", "张三丰", "欧阳娜娜"]) == "张某与张某、欧阳某到场"


def test_no_names_given_means_names_stay():
    assert mask_text("张三到场") == "张三到场"


# ---- home addresses and names found from context (all fictional)


def test_home_address_keeps_the_county_and_hides_the_rest():
    text = "住址：云南省临沧市耿马傣族佤族自治县大兴乡示例村3组8号。"
    assert mask_text(text) == "住址：云南省临沧市耿马傣族佤族自治县***。"
    assert mask_text("现住 桃源县示例镇示例村") == "现住 桃源县***"


def test_business_and_unit_addresses_stay():
    for text in (
        "经营场所：示例市示例区示例路1号",
        "住所：示例市示例区示例路1号",
        "单位住址 示例省示例市示例区",
    ):
        assert mask_text(text) == text


def test_already_masked_values_are_not_touched():
    text = "姓名：李**，住址：示例县**村委会**小组**号，电话157********"
    assert mask_text(text) == text
    assert find_personal_items(text, names=["李**"]) == []


@pytest.mark.parametrize(
    "text, masked",
    [
        ("法定代表人：王测试\n", "法定代表人：王某\n"),
        ("法定代表人（负 责 人）:赵测试 电话", "法定代表人（负 责 人）:赵某 电话"),
        ("示例食品店（钱测试）", "示例食品店（钱某）"),
        ("委托代理人：孙测，男，汉族", "委托代理人：孙某，男，汉族"),
        ("被处罚人姓名:周测试 性别:男", "被处罚人姓名:周某 性别:男"),
        ("吴测试：\n我局于2023年立案。", "吴某：\n我局于2023年立案。"),
        ("相关人郑测试、冯测《询问笔录》", "相关人郑某、冯某《询问笔录》"),
    ],
)
def test_names_found_from_context(text, masked):
    assert mask_text(text) == masked


def test_a_name_found_once_is_masked_everywhere():
    text = "经营者：陈测试。经查，陈测试未取得许可，陈测试签字。"
    assert mask_text(text) == "经营者：陈某。经查，陈某未取得许可，陈某签字。"


def test_names_listed_next_to_a_known_one():
    text = "雇佣蒋测试和韩测林运输，有照片1份、韩测林、蒋测试、杨测试询问笔录。"
    masked = mask_text(text, names=["杨测试"])
    assert masked == "雇佣蒋某和韩某运输，有照片1份、韩某、蒋某、杨某询问笔录。"


def test_words_after_labels_are_not_names():
    text = (
        "当事人陈述、申辩意见；当事人安排员工；当事人于2024年；法定代表人身份证复印件；单位：示例"
    )
    assert mask_text(text) == text


def test_officers_named_in_the_text_are_not_masked():
    # 执法人员 are published by law; only context labels for other people trigger masking.
    text = "执法人员胡测试、杨测某出示执法证后检查。"
    assert mask_text(text) == text
