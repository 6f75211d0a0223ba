"""The audit trail is append-only in the database itself (等保 安全审计), not only by the application's habit.

On PostgreSQL a trigger refuses every UPDATE and DELETE of an audit entry, with two exceptions:
- sealing: setting `seq` and `chain_hash` once, on an unsealed row, with every other column unchanged;
- archiving: deleting a sealed row older than 180 days inside a transaction that has set
  `daiban.audit_archive = 'on'` (what `manage.py archive_audit` does after writing the archive file).
TRUNCATE is a table privilege: the deployment guide withholds it from the application's role. SQLite (the
laptop default) has no roles to protect against, and the hash chain still shows any edit.
"""

from django.db import migrations

CONTENT = "at, actor_id, verb, target_type, target_id, target_label, jurisdiction_code, before, after, from_address"
OLD = ", ".join(f"OLD.{c.strip()}" for c in CONTENT.split(","))
NEW = ", ".join(f"NEW.{c.strip()}" for c in CONTENT.split(","))

CREATE = f"""
CREATE OR REPLACE FUNCTION common_auditentry_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'UPDATE' THEN
        IF OLD.seq IS NULL AND NEW.seq IS NOT NULL AND NEW.chain_hash <> '' AND NEW.id = OLD.id
           AND ROW({NEW}) IS NOT DISTINCT FROM ROW({OLD}) THEN
            RETURN NEW;
        END IF;
        RAISE EXCEPTION 'audit entries are append-only (entry %)', OLD.id USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF current_setting('daiban.audit_archive', true) = 'on' AND OLD.seq IS NOT NULL
       AND OLD.at < now() - interval '180 days' THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION 'audit entries are append-only (entry %)', OLD.id USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS common_auditentry_append_only ON common_auditentry;
CREATE TRIGGER common_auditentry_append_only BEFORE UPDATE OR DELETE ON common_auditentry
    FOR EACH ROW EXECUTE FUNCTION common_auditentry_append_only();
"""
DROP = """
DROP TRIGGER IF EXISTS common_auditentry_append_only ON common_auditentry;
DROP FUNCTION IF EXISTS common_auditentry_append_only();
"""


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [("common", "0003_audit_chain")]
    operations = [migrations.RunPython(create, drop)]
