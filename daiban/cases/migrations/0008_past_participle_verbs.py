"""Timeline and audit verbs become dotted past participles (`request.accept` → `request.accepted`), as the
workflow core writes them (ADR 0012); and items left with two open clock stops by the race the core now
prevents keep only their earliest open stop (the later ones were the same step recorded twice), so the
next migration can make the database refuse a second open stop."""

from django.db import migrations

RENAMED = {
    "request.accept": "request.accepted",
    "request.decline": "request.declined",
    "request.withdraw": "request.withdrawn",
    "request.dispatch": "request.dispatched",
    "request.complete": "request.completed",
    "item.start_collecting": "item.collection_started",
    "item.mark_ready": "item.materials_completed",
    "item.file": "item.filed",
    "item.start_review": "item.review_started",
    "item.request_correction": "item.correction_requested",
    "item.resubmit": "item.resubmitted",
    "item.approve": "item.approved",
    "item.refuse": "item.refused",
    "item.pick_up": "item.picked_up",
    "item.deliver": "item.delivered",
}


def _rename(apps, mapping):
    TimelineEntry = apps.get_model("cases", "TimelineEntry")
    AuditEntry = apps.get_model("common", "AuditEntry")
    for old, new in mapping.items():
        TimelineEntry.objects.filter(verb=old).update(verb=new)
        AuditEntry.objects.filter(verb=old).update(verb=new)


def forwards(apps, schema_editor):
    _rename(apps, RENAMED)
    ClockStop = apps.get_model("cases", "ClockStop")
    seen = set()
    for stop in ClockStop.objects.filter(end_on__isnull=True).order_by("case_item_id", "start_on", "id"):
        if stop.case_item_id in seen:
            stop.delete()
        seen.add(stop.case_item_id)


def backwards(apps, schema_editor):
    _rename(apps, {new: old for old, new in RENAMED.items()})


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0007_request_submitted_index"),
        ("common", "0002_initial"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
