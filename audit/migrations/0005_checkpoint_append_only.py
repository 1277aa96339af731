"""Signed checkpoints and archive records are append-only too (NIST AU-9): same refusal as the
events' triggers (migration 0003), including the test-only TRUNCATE escape hatch."""

from django.db import migrations

TABLES = ("audit_auditcheckpoint", "audit_archiverecord")

PG_FUNCTION = """
CREATE OR REPLACE FUNCTION audit_table_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'TRUNCATE' AND current_setting('dpa.audit_truncate', true) = 'allowed' THEN
        RETURN NULL;
    END IF;
    RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$;
"""


def _pg_create(table):
    return f"""
CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table}
    FOR EACH ROW EXECUTE FUNCTION audit_table_append_only();
CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {table}
    FOR EACH ROW EXECUTE FUNCTION audit_table_append_only();
CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table}
    FOR EACH STATEMENT EXECUTE FUNCTION audit_table_append_only();
"""


def _pg_drop(table):
    return f"""
DROP TRIGGER IF EXISTS {table}_no_update ON {table};
DROP TRIGGER IF EXISTS {table}_no_delete ON {table};
DROP TRIGGER IF EXISTS {table}_no_truncate ON {table};
"""


def _sqlite_create(table):
    return [
        f"""CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table}
           BEGIN SELECT RAISE(ABORT, '{table} is append-only: UPDATE refused'); END;""",
        f"""CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {table}
           BEGIN SELECT RAISE(ABORT, '{table} is append-only: DELETE refused'); END;""",
    ]


def create_triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_FUNCTION, params=None)
    for table in TABLES:
        if vendor == "postgresql":
            schema_editor.execute(_pg_create(table), params=None)
        elif vendor == "sqlite":
            for statement in _sqlite_create(table):
                schema_editor.execute(statement, params=None)
        else:
            raise RuntimeError(f"No append-only triggers written for database vendor {vendor!r}.")


def drop_triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for table in TABLES:
        if vendor == "postgresql":
            schema_editor.execute(_pg_drop(table), params=None)
        else:
            for suffix in ("no_update", "no_delete"):
                schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_{suffix};", params=None)
    if vendor == "postgresql":
        schema_editor.execute("DROP FUNCTION IF EXISTS audit_table_append_only();", params=None)


class Migration(migrations.Migration):
    dependencies = [("audit", "0004_auditor_workspace")]
    operations = [migrations.RunPython(create_triggers, drop_triggers)]
