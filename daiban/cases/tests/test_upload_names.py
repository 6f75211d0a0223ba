"""A long upload name keeps its extension (it is shown and offered again on download). Django's own
upload objects already shorten names over 255 characters; `display_name` must not rely on it (a name can
reach a service by another path), so these give it the raw name."""

from types import SimpleNamespace
from typing import cast

import pytest
from django.core.files.uploadedfile import UploadedFile

from daiban.cases.uploads import NAME_MAX, display_name


def raw(name: str) -> UploadedFile:
    return cast(UploadedFile, SimpleNamespace(name=name))


@pytest.mark.parametrize(
    ("name", "expected_end"),
    [
        ("资" * 300 + ".pdf", ".pdf"),
        ("a" * 296 + ".docx", ".docx"),
        ("报告.v2." + "x" * 300 + ".xlsx", ".xlsx"),
        ("dir/sub/" + "b" * 300 + ".PNG", ".PNG"),
    ],
)
def test_a_long_name_is_cut_in_its_stem(name, expected_end):
    shown = display_name(raw(name))
    assert len(shown) == NAME_MAX and shown.endswith(expected_end)
    assert "/" not in shown


@pytest.mark.parametrize("name", ["申请表.pdf", "x.jpg", "无扩展名"])
def test_a_short_name_is_kept(name):
    assert display_name(raw(name)) == name


def test_a_name_that_is_all_suffix_is_still_cut_to_the_column():
    shown = display_name(raw("a." + "z" * 300))
    assert len(shown) == NAME_MAX and shown.startswith("a.")
