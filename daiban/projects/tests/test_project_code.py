import pytest
from django.core.exceptions import ValidationError

from daiban.projects.validators import normalize_project_code, validate_project_code


@pytest.mark.parametrize(
    "code", ["2025-500242-47-03-000123", "2019-500111-30-02-123456", "2026-500000-70-03-000001"]
)
def test_valid_project_codes(code):
    validate_project_code(code)


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("2025-500242-47-03-00012", "格式应为"),
        ("2025500242470300012", "格式应为"),
        ("2013-500242-47-03-000123", "年份"),
        ("2099-500242-47-03-000123", "年份"),
        ("2025-110105-47-03-000123", "重庆市"),
        ("2025-500242-99-03-000123", "行业代码"),
        ("2025-500242-47-01-000123", "02（核准）或03（备案）"),
        ("2025-500242-47-03-000000", "流水号"),
    ],
)
def test_bad_project_codes_are_refused_in_chinese(code, message):
    with pytest.raises(ValidationError) as exc:
        validate_project_code(code)
    assert message in exc.value.messages[0]


def test_full_width_dashes_and_spaces_are_normalised():
    assert normalize_project_code(" 2025－500242－47－03－000123 ") == "2025-500242-47-03-000123"
