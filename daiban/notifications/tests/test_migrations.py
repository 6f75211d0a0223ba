"""The claim migration gives each existing outbound message a key of its own (a callable default on
AddField would have given all of them one)."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

BEFORE = [("notifications", "0002_outbox")]
AFTER = [("notifications", "0003_outbound_claim")]


@pytest.mark.django_db(transaction=True)
def test_existing_messages_get_distinct_keys():
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    try:
        old = executor.loader.project_state(BEFORE).apps
        user = old.get_model("organizations", "User").objects.create(username="old", full_name="旧")
        note = old.get_model("notifications", "Notification").objects.create(
            recipient=user, verb="a.b", title="t"
        )
        message = old.get_model("notifications", "OutboundMessage")
        for channel in ("sms", "email"):
            message.objects.create(
                notification=note, channel=channel, address="x", next_attempt_at=timezone.now()
            )
        executor = MigrationExecutor(connection)
        executor.migrate(AFTER)
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())
    new = executor.loader.project_state(AFTER).apps.get_model("notifications", "OutboundMessage")
    keys = list(new.objects.values_list("delivery_key", flat=True))
    assert len(keys) == 2 and len(set(keys)) == 2 and None not in keys
