"""Free-text search in reasons (auditor workspace) on PostgreSQL: a trigram GIN index so
Django's icontains (`UPPER(reason::text) LIKE UPPER('%word%')`) does not scan millions of rows. pg_trgm is a trusted extension (PG 13+),
so the database owner may create it. SQLite (quick start) has no such index and needs none."""

from django.db import migrations

PG_CREATE = """
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE INDEX IF NOT EXISTS audit_reason_trgm_idx ON audit_auditevent USING gin ((UPPER(reason::text)) gin_trgm_ops);
"""
PG_DROP = "DROP INDEX IF EXISTS audit_reason_trgm_idx;"


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(PG_CREATE, params=None)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(PG_DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [("audit", "0005_checkpoint_append_only")]
    operations = [migrations.RunPython(create, drop)]
