import pytest
from django.core.exceptions import ValidationError

from daiban.common.validators import normalize_mobile, validate_mobile, validate_resident_id, validate_uscc

VALID_USCC = "91500242MA60000A0W"


def test_valid_uscc_passes():
    validate_uscc(VALID_USCC)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("91500242MA60000A0X", "校验位不正确"),  # wrong check character
        ("91500242MA60000A0", "应为18位"),  # too short
        ("91500242MA60000A0WW", "应为18位"),  # too long
        ("91500242MA6000OA0W", "不允许的字符"),  # letter O is not allowed
    ],
)
def test_bad_uscc_is_refused_in_chinese(value, message):
    with pytest.raises(ValidationError) as exc:
        validate_uscc(value)
    assert message in exc.value.messages[0]


@pytest.mark.parametrize("value", ["13800138000", "19912345678", "+86 138 0013 8000"])
def test_mobile_numbers_pass(value):
    validate_mobile(normalize_mobile(value))


@pytest.mark.parametrize("value", ["1380013800", "23800138000", "023-75551234", "abc", "12345678901"])
def test_bad_mobile_numbers_are_refused(value):
    with pytest.raises(ValidationError) as exc:
        validate_mobile(normalize_mobile(value))
    assert exc.value.messages == ["请输入11位手机号码。"]


def test_resident_id_check_digit():
    validate_resident_id("11010519491231002X")
    with pytest.raises(ValidationError) as exc:
        validate_resident_id("110105194912310021")
    assert "校验位" in exc.value.messages[0]


def _with_check(body: str) -> str:
    from stdnum.cn import uscc

    return body + uscc.calc_check_digit(body)


@pytest.mark.parametrize(
    "body",
    [
        "00000000000000000",  # all zeros: '000000000000000000' passes the check character
        "11111111111111111",  # one character repeated
        "01500242MA6000000",  # registration authority 0
        "91000000MA6000000",  # no administrative division
        "91500242000000000",  # no organisation code
    ],
)
def test_placeholder_credit_codes_are_refused_though_their_check_fits(body):
    code = _with_check(body)
    with pytest.raises(ValidationError) as exc:
        validate_uscc(code)
    assert exc.value.code == "uscc_placeholder"


def test_the_all_zero_code_is_refused():
    with pytest.raises(ValidationError) as exc:
        validate_uscc("000000000000000000")
    assert exc.value.code == "uscc_placeholder"
