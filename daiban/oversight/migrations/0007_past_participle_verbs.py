"""Issue notes and audit entries name their step with the workflow core's dotted past participles
(`assign` and `issue.assign` → `issue.assigned`; ADR 0012)."""

from django.db import migrations

NOTES = {
    "assign": "issue.assigned",
    "follow_up": "issue.followed_up",
    "resolve": "issue.resolved",
    "reopen": "issue.reopened",
}
AUDIT = {
    "issue.assign": "issue.assigned",
    "issue.follow_up": "issue.followed_up",
    "issue.resolve": "issue.resolved",
    "issue.reopen": "issue.reopened",
}


def _rename(apps, notes, audit):
    IssueNote = apps.get_model("oversight", "IssueNote")
    AuditEntry = apps.get_model("common", "AuditEntry")
    for old, new in notes.items():
        IssueNote.objects.filter(verb=old).update(verb=new)
    for old, new in audit.items():
        AuditEntry.objects.filter(verb=old).update(verb=new)


def forwards(apps, schema_editor):
    _rename(apps, NOTES, AUDIT)


def backwards(apps, schema_editor):
    _rename(apps, {v: k for k, v in NOTES.items()}, {v: k for k, v in AUDIT.items()})


class Migration(migrations.Migration):
    dependencies = [
        ("oversight", "0006_dashboard_snapshot"),
        ("common", "0002_initial"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
