"""A long upload name keeps its extension (it is shown and offered again on download). Django's own
upload objects already shorten names over 255 characters; `display_name` must not rely on it (a name can
reach a service by another path), so these give it the raw name."""

import ast
import pathlib
from types import SimpleNamespace
from typing import cast

import pytest
from django.apps import apps
from django.core.files.uploadedfile import UploadedFile
from django.db import models

from daiban.cases.models import RequestDocument
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


def test_every_upload_path_goes_through_display_name():
    """The class, not the one form: the only model holding files is `RequestDocument`, and the only code
    that makes one is `store_document` (which names it by `display_name`) — so the request's materials,
    a visit's photos and a delivery's signature photo all keep their extension, and so will a path added
    later unless it builds documents by hand, which fails here."""

    holding_files = {
        model
        for model in apps.get_models()
        if model.__module__.startswith("daiban.")
        and any(isinstance(field, models.FileField) for field in model._meta.get_fields())
    }
    assert holding_files == {RequestDocument}
    root = pathlib.Path(__file__).resolve().parents[2]
    builders = []
    for path in root.rglob("*.py"):
        if "/tests/" in path.as_posix() or "/migrations/" in path.as_posix():
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call):
                text = ast.unparse(node.func)
                if text == "RequestDocument" or text.endswith(
                    ("documents.create", "RequestDocument.objects.create")
                ):
                    builders.append(path.relative_to(root).as_posix())
    assert builders == ["cases/uploads.py"]
