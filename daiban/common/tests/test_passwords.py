"""Every configured password validator tells people in Chinese what is wrong and what is asked."""

import re

import pytest
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError

CHINESE = re.compile(r"[\u4e00-\u9fff]")
ENGLISH_WORD = re.compile(r"[A-Za-z]{3,}")


@pytest.mark.parametrize("password", ["1234", "zhangsan2026", "password", "12345678901"])
def test_every_password_validator_answers_in_chinese(password, django_user_model):
    user = django_user_model(username="zhangsan2026", full_name="张三", email="zs@example.com")
    for validator in password_validation.get_default_password_validators():
        try:
            validator.validate(password, user)
        except ValidationError as refused:
            for message in refused.messages:
                assert CHINESE.search(message) and not ENGLISH_WORD.search(message), message
    for text in password_validation.password_validators_help_texts():
        assert CHINESE.search(text) and not ENGLISH_WORD.search(text), text


def test_a_short_password_is_refused():
    with pytest.raises(ValidationError):
        password_validation.validate_password("Ab1!")
