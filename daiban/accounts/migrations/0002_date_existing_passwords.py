"""Existing passwords start their history (and their 90 days) on the day this is deployed."""

from django.db import migrations


def date_existing_passwords(apps, schema_editor):  # type: ignore[no-untyped-def]
    User = apps.get_model("organizations", "User")
    PasswordRecord = apps.get_model("accounts", "PasswordRecord")
    PasswordRecord.objects.bulk_create(
        PasswordRecord(user_id=pk, encoded=encoded)
        for pk, encoded in User.objects.exclude(password="").exclude(password__startswith="!").values_list(
            "id", "password"
        )
    )


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_initial"), ("organizations", "0001_initial")]

    operations = [migrations.RunPython(date_existing_passwords, migrations.RunPython.noop)]
