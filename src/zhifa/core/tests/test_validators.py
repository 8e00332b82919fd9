"""Validators for 公民身份号码, 统一社会信用代码 and mobile numbers. All numbers are fictional
(made up, check digits computed)."""

import datetime

import pytest
from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from zhifa.core.validators import (
    CitizenIdField,
    CitizenIdValidator,
    MobileValidator,
    UsccField,
    UsccValidator,
    is_valid_citizen_id,
    is_valid_mobile,
    is_valid_uscc,
    looks_like_citizen_id,
    validate_citizen_id,
    validate_mobile,
    validate_uscc,
)


def _message(exc: pytest.ExceptionInfo) -> str:
    return " ".join(exc.value.messages)


# ---------------------------------------------------------------- 公民身份号码


@pytest.mark.parametrize(
    "value, expected",
    [
        ("11010519491231002X", "11010519491231002X"),
        ("11010519491231002x", "11010519491231002X"),  # lower-case x normalised
        (" 530102199003071238 ", "530102199003071238"),
        ("530102 19900307 1238", "530102199003071238"),
        ("５３０１０２１９９００３０７１２３８", "530102199003071238"),  # full-width digits
    ],
)
def test_citizen_id_valid_and_normalised(value, expected):
    assert validate_citizen_id(value) == expected
    assert is_valid_citizen_id(value)


@pytest.mark.parametrize(
    "value, code, text",
    [
        ("1101051949123100", "length", "长度应为18位"),
        ("11010519491231002X1", "length", "长度应为18位"),
        ("", "length", "长度应为18位"),
        ("1101051949123100AX", "invalid_chars", "含有非法字符"),
        ("11010519491231002Y", "invalid_chars", "含有非法字符"),
        ("99010519491231002X", "region", "地区码无效"),
        ("110105194913310029", "birth_date", "出生日期无效"),  # month 13
        ("110105194902300020", "birth_date", "出生日期无效"),  # 30 February
        ("110105189912310020", "birth_date", "出生日期无效"),  # before 1900
        ("110105194912310021", "checksum", "校验位错误"),
        ("530102199003071239", "checksum", "校验位错误"),
    ],
)
def test_citizen_id_errors_say_what_is_wrong(value, code, text):
    with pytest.raises(ValidationError) as exc:
        validate_citizen_id(value)
    assert exc.value.code == code
    assert text in _message(exc)
    assert not is_valid_citizen_id(value)


def test_citizen_id_birth_date_in_future_is_invalid():
    from stdnum.cn import ric

    future = timezone.localdate() + datetime.timedelta(days=2)
    body = f"110105{future:%Y%m%d}002"
    number = body + ric.calc_check_digit(body + "0")
    with pytest.raises(ValidationError) as exc:
        validate_citizen_id(number)
    assert exc.value.code == "birth_date"


def test_citizen_id_region_created_after_birth_is_accepted():
    # stdnum.cn.ric rejects this (county code not in use in the birth year); the number is
    # structurally valid and such people exist, so we accept it.
    from stdnum.cn import ric

    body = "53011419500101001"  # 530114 呈贡区 was created in 2011
    number = body + ric.calc_check_digit(body + "0")
    assert not ric.is_valid(number)
    assert validate_citizen_id(number) == number


def test_looks_like_citizen_id_ignores_check_digit_and_reads_15_digit_numbers():
    assert looks_like_citizen_id("110105194912310021")  # wrong check digit, still personal
    assert looks_like_citizen_id("110105491231002")  # pre-1999, 15 digits
    assert not looks_like_citizen_id("125300004312345672")  # a USCC: no real birth date
    assert not looks_like_citizen_id("990105194912310021")


# ---------------------------------------------------------------- 统一社会信用代码


@pytest.mark.parametrize(
    "value, expected",
    [
        ("91350100M000100Y43", "91350100M000100Y43"),
        ("91350100m000100y43", "91350100M000100Y43"),
        ("9135 0100 M000 100Y 43", "91350100M000100Y43"),
        ("125300004312345672", "125300004312345672"),
        # 农村集体经济组织: registration authority "N"; stdnum.cn.uscc wrongly rejects these.
        ("N2530102MF0000001K", "N2530102MF0000001K"),
    ],
)
def test_uscc_valid(value, expected):
    assert validate_uscc(value) == expected
    assert is_valid_uscc(value)


@pytest.mark.parametrize(
    "value, code, text",
    [
        ("91350100M000100Y4", "length", "长度应为18位"),
        ("91350100M000100Y432", "length", "长度应为18位"),
        ("91350100M000100I43", "invalid_chars", "含有非法字符"),  # I is excluded
        ("91350100O000100Y43", "invalid_chars", "含有非法字符"),  # O is excluded
        ("913501Z0M000100Y43", "invalid_chars", "含有非法字符"),
        ("9135A100M000100Y43", "invalid_chars", "第3至8位"),
        ("01350100M000100Y43", "invalid_chars", "第1位"),
        ("91350100M000100Y44", "checksum", "校验位错误"),
        ("N2530102MF0000001L", "checksum", "校验位错误"),
    ],
)
def test_uscc_errors(value, code, text):
    with pytest.raises(ValidationError) as exc:
        validate_uscc(value)
    assert exc.value.code == code
    assert text in _message(exc)
    assert not is_valid_uscc(value)


def test_uscc_error_names_the_illegal_letter():
    with pytest.raises(ValidationError) as exc:
        validate_uscc("91350100M000100S43")
    assert "S" in _message(exc)


# ---------------------------------------------------------------- 手机号码


@pytest.mark.parametrize(
    "value",
    ["13800138000", "138 0013 8000", "138-0013-8000", "+86 13800138000", "8613800138000"],
)
def test_mobile_valid(value):
    assert validate_mobile(value) == "13800138000"


@pytest.mark.parametrize("value", ["12800138000", "1380013800", "138001380001", "1380013800a", ""])
def test_mobile_invalid(value):
    with pytest.raises(ValidationError) as exc:
        validate_mobile(value)
    assert "手机号码格式错误" in _message(exc)
    assert not is_valid_mobile(value)


# ---------------------------------------------------------------- Django integration


def test_validator_callables_raise_and_pass():
    CitizenIdValidator()("11010519491231002x")
    UsccValidator()("91350100M000100Y43")
    MobileValidator()("13800138000")
    with pytest.raises(ValidationError):
        CitizenIdValidator()("110105194912310021")
    with pytest.raises(ValidationError):
        UsccValidator()("91350100M000100Y44")
    with pytest.raises(ValidationError):
        MobileValidator()("12345")
    # Migrations serialise validators: they must deconstruct to an importable path.
    assert CitizenIdValidator().deconstruct()[0] == "zhifa.core.validators.CitizenIdValidator"
    assert CitizenIdValidator() == CitizenIdValidator()
    assert CitizenIdValidator() != UsccValidator()


def test_form_fields_normalise_and_report_errors():
    class PartyForm(forms.Form):
        id_number = CitizenIdField()
        code = UsccField(required=False)
        phone = forms.CharField(validators=[MobileValidator()])

    form = PartyForm(
        {"id_number": "11010519491231002x", "code": "91350100m000100y43", "phone": "13800138000"}
    )
    assert form.is_valid(), form.errors
    assert form.cleaned_data["id_number"] == "11010519491231002X"
    assert form.cleaned_data["code"] == "91350100M000100Y43"

    form = PartyForm({"id_number": "110105194912310021", "code": "", "phone": "1"})
    assert not form.is_valid()
    assert "校验位错误" in form.errors["id_number"][0]
    assert "手机号码格式错误" in form.errors["phone"][0]
    assert "code" not in form.errors
