"""Every upload follows its transaction (daiban.common.files): today one file field has one writer, which
registers the removal on rollback. A new file field or a new place writing files fails here until it does
the same."""

import re
from pathlib import Path

from django.apps import apps
from django.db import models

ROOT = Path(__file__).resolve().parent.parent / "daiban"
WRITE = re.compile(r"\.(file|storage)\.save\(|default_storage\.save\(|storages\[[^]]+\]\.save\(")


def test_the_only_file_field_is_the_request_document():
    fields = {
        (model._meta.label, field.name)
        for model in apps.get_models()
        if model._meta.app_label not in {"admin", "auth", "contenttypes", "sessions"}
        for field in model._meta.get_fields()
        if isinstance(field, models.FileField)
    }
    assert fields == {("cases.RequestDocument", "file")}


def test_every_file_write_registers_its_removal_on_rollback():
    writers = {}
    for path in ROOT.rglob("*.py"):
        if "tests" in path.parts or "migrations" in path.parts:
            continue
        text = path.read_text()
        for match in WRITE.finditer(text):
            following = text[match.end() : match.end() + 300]
            writers[str(path.relative_to(ROOT))] = "remove_on_rollback(" in following
    assert writers == {"cases/uploads.py": True}
