"""A leaner append (PostgreSQL): two indexes fewer, and the row is read from the hashed bytes.

- The hash keeps its uniqueness as a constraint, without the `varchar_pattern_ops` twin a
  field's `unique=True` adds (nothing searches hashes by prefix).
- One `(action varchar_pattern_ops, sequence)` index serves an exact action and a prefix
  (`action LIKE 'rating_request.%'`): pattern ops also serve equality.
- `audit_append` takes only the three canonical pieces (audit.chain.canonical_parts): it reads
  the row from those very bytes (with a placeholder position), before it takes the chain lock,
  so what is stored is what is hashed and the lock covers only the head read, the insert and the
  commit. Python no longer serializes the event a second time.
"""

from django.db import migrations, models

PG_CREATE = """
DROP FUNCTION IF EXISTS audit_append(bigint, text, text, text, jsonb);
CREATE OR REPLACE FUNCTION audit_append(lock_key bigint, before_prev text, before_sequence text,
                                        after_sequence text)
RETURNS TABLE (event_id bigint, event_sequence bigint, event_prev_hash text, event_hash text)
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    r audit_auditevent;
    head_sequence bigint;
    head_hash text;
BEGIN
    -- Parsed before the lock: the position is spliced into the hashed text below.
    r := jsonb_populate_record(NULL::audit_auditevent,
                               (before_prev || repeat('0', 64) || before_sequence || '1' || after_sequence)::jsonb);
    PERFORM pg_advisory_xact_lock(lock_key);
    SELECT e.sequence, e.hash INTO head_sequence, head_hash
        FROM audit_auditevent e ORDER BY e.sequence DESC LIMIT 1;
    head_sequence := coalesce(head_sequence, 0) + 1;
    head_hash := coalesce(head_hash, repeat('0', 64));
    INSERT INTO audit_auditevent (
        sequence, prev_hash, hash, occurred_at, actor_id, actor_label, actor_roles, action, outcome,
        object_type, object_id, object_label, reference, organization_id, from_state, to_state,
        reason, changes, data, source, request_id, client_address)
    VALUES (head_sequence, head_hash,
            encode(sha256(convert_to(before_prev || head_hash || before_sequence || head_sequence::text
                                     || after_sequence, 'UTF8')), 'hex'),
            r.occurred_at, r.actor_id, r.actor_label, r.actor_roles, r.action, r.outcome,
            r.object_type, r.object_id, r.object_label, r.reference, r.organization_id, r.from_state,
            r.to_state, r.reason, r.changes, r.data, r.source, r.request_id, r.client_address)
    RETURNING id, sequence, prev_hash, hash INTO event_id, event_sequence, event_prev_hash, event_hash;
    RETURN NEXT;
END;
$$;
"""
PG_DROP = "DROP FUNCTION IF EXISTS audit_append(bigint, text, text, text);"

# SQLite remakes the table to change its constraints, which drops its triggers: the append-only
# triggers of migration 0003 are written again after it.
SQLITE_TRIGGERS = [
    "DROP TRIGGER IF EXISTS audit_event_no_update;",
    "DROP TRIGGER IF EXISTS audit_event_no_delete;",
    """CREATE TRIGGER audit_event_no_update BEFORE UPDATE ON audit_auditevent
       BEGIN SELECT RAISE(ABORT, 'audit_auditevent is append-only: UPDATE refused'); END;""",
    """CREATE TRIGGER audit_event_no_delete BEFORE DELETE ON audit_auditevent
       BEGIN SELECT RAISE(ABORT, 'audit_auditevent is append-only: DELETE refused'); END;""",
]


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(PG_CREATE, params=None)


def drop(apps, schema_editor):
    # Back to migration 0008's function.
    if schema_editor.connection.vendor == "postgresql":
        from importlib import import_module

        schema_editor.execute(PG_DROP, params=None)
        schema_editor.execute(import_module("audit.migrations.0008_append_function").PG_CREATE, params=None)


def sqlite_triggers_again(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        for statement in SQLITE_TRIGGERS:
            schema_editor.execute(statement, params=None)


class Migration(migrations.Migration):
    dependencies = [("audit", "0009_fewer_append_indexes")]

    operations = [
        migrations.AddConstraint(
            model_name="auditevent",
            constraint=models.UniqueConstraint(fields=("hash",), name="audit_hash_unique"),
        ),
        migrations.AlterField(model_name="auditevent", name="hash", field=models.CharField(max_length=64)),
        migrations.RemoveIndex(model_name="auditevent", name="audit_action_seq_idx"),
        migrations.RemoveIndex(model_name="auditevent", name="audit_action_prefix_idx"),
        migrations.AddIndex(
            model_name="auditevent",
            index=models.Index(
                fields=["action", "sequence"],
                name="audit_action_seq_idx",
                opclasses=["varchar_pattern_ops", "int8_ops"],
            ),
        ),
        migrations.RunPython(create, drop),
        migrations.RunPython(sqlite_triggers_again, sqlite_triggers_again),
    ]
