"""The timeline shares the history tables' field names (common.models.HistoryNote): `actor` → `by`,
`note` → `text`."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("cases", "0009_clock_stop_one_open_per_item")]

    operations = [
        migrations.RenameField("timelineentry", "actor", "by"),
        migrations.RenameField("timelineentry", "note", "text"),
    ]
