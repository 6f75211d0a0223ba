"""Rectification notes and audit entries name their step with the workflow core's dotted past participles
(`report` and `rectification.report` → `rectification.reported`; ADR 0012)."""

from django.db import migrations

NOTES = {
    "report": "rectification.reported",
    "send_back": "rectification.sent_back",
    "close": "rectification.closed",
    "reassign": "rectification.reassigned",
}
AUDIT = {
    "rectification.report": "rectification.reported",
    "rectification.send_back": "rectification.sent_back",
    "rectification.close": "rectification.closed",
}


def _rename(apps, notes, audit):
    RectificationNote = apps.get_model("feedback", "RectificationNote")
    AuditEntry = apps.get_model("common", "AuditEntry")
    for old, new in notes.items():
        RectificationNote.objects.filter(verb=old).update(verb=new)
    for old, new in audit.items():
        AuditEntry.objects.filter(verb=old).update(verb=new)


def forwards(apps, schema_editor):
    _rename(apps, NOTES, AUDIT)


def backwards(apps, schema_editor):
    _rename(apps, {v: k for k, v in NOTES.items()}, {v: k for k, v in AUDIT.items()})


class Migration(migrations.Migration):
    dependencies = [
        ("feedback", "0001_initial"),
        ("common", "0002_initial"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
