"""One statement appends an event to the chain (PostgreSQL): `audit_append`.

The function takes the chain lock, reads the head and inserts the event with its hash, all in
one call, so the lock is taken as late as possible and held only from the append to commit.
Inside a VOLATILE PL/pgSQL function each statement takes a fresh snapshot, so the head read
after the lock is granted includes every event committed before it.

Python computes the canonical serialization (audit/chain.py) with the sequence and the previous
hash left out: the function splices them in and hashes the UTF-8 bytes with `sha256()`, which
gives exactly the hash `compute_hash` would. A column added to AuditEvent must be added here.
"""

from django.db import migrations

PG_CREATE = """
CREATE OR REPLACE FUNCTION audit_append(lock_key bigint, before_prev text, before_sequence text,
                                        after_sequence text, ev jsonb)
RETURNS TABLE (event_id bigint, event_sequence bigint, event_prev_hash text, event_hash text)
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    head_sequence bigint;
    head_hash text;
BEGIN
    PERFORM pg_advisory_xact_lock(lock_key);
    SELECT e.sequence, e.hash INTO head_sequence, head_hash
        FROM audit_auditevent e ORDER BY e.sequence DESC LIMIT 1;
    head_sequence := coalesce(head_sequence, 0) + 1;
    head_hash := coalesce(head_hash, repeat('0', 64));
    RETURN QUERY
    INSERT INTO audit_auditevent (
        sequence, prev_hash, hash, occurred_at, actor_id, actor_label, actor_roles, action, outcome,
        object_type, object_id, object_label, reference, organization_id, from_state, to_state,
        reason, changes, data, source, request_id, client_address)
    SELECT head_sequence, head_hash,
           encode(sha256(convert_to(before_prev || head_hash || before_sequence || head_sequence::text
                                    || after_sequence, 'UTF8')), 'hex'),
           r.occurred_at, r.actor_id, r.actor_label, r.actor_roles, r.action, r.outcome,
           r.object_type, r.object_id, r.object_label, r.reference, r.organization_id, r.from_state,
           r.to_state, r.reason, r.changes, r.data, r.source, r.request_id, r.client_address
    FROM jsonb_populate_record(NULL::audit_auditevent, ev) r
    RETURNING id::bigint, sequence, prev_hash::text, hash::text;
END;
$$;
"""
PG_DROP = "DROP FUNCTION IF EXISTS audit_append(bigint, text, text, text, jsonb);"


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(PG_CREATE, params=None)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(PG_DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [("audit", "0007_legal_hold_generic_target")]

    operations = [migrations.RunPython(create, drop)]
