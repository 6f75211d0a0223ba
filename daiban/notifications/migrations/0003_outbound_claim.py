"""Claim token and idempotency key for exactly-once delivery (ADR 0007). Existing rows each get their own
key: a callable default on AddField would give every row the same one."""

import uuid

from django.db import migrations, models
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps


def give_each_row_a_key(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    message_model = apps.get_model("notifications", "OutboundMessage")
    for pk in message_model.objects.values_list("pk", flat=True).iterator():
        message_model.objects.filter(pk=pk).update(delivery_key=uuid.uuid4())


class Migration(migrations.Migration):
    dependencies = [("notifications", "0002_outbox")]

    operations = [
        migrations.AddField(
            model_name="outboundmessage",
            name="claim_token",
            field=models.UUIDField(blank=True, editable=False, null=True, verbose_name="claim"),
        ),
        migrations.AddField(
            model_name="outboundmessage",
            name="delivery_key",
            field=models.UUIDField(editable=False, null=True, verbose_name="idempotency key"),
        ),
        migrations.RunPython(give_each_row_a_key, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="outboundmessage",
            name="delivery_key",
            field=models.UUIDField(
                default=uuid.uuid4, editable=False, unique=True, verbose_name="idempotency key"
            ),
        ),
    ]
