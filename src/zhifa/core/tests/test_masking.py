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
