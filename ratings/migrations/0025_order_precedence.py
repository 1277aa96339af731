import datetime as dt

from django.db import migrations, models

# The formula of ratings.models.orders.precedence_key, frozen here as a migration must be.
LEVEL_BANDS = {"DX": 0, "DO": 1}
LEVEL_BAND = 10_000_000
NO_REQUIRED_DATE = dt.date(9999, 12, 31)

BACKFILL_SQL = """
UPDATE ratings_ratedorder o
   SET precedence = (CASE o.level WHEN 'DX' THEN 0 WHEN 'DO' THEN 1 ELSE 2 END) * 10000000
       + (coalesce(v.earliest_required_date, DATE '9999-12-31') - DATE '1970-01-01')
  FROM ratings_ratedorderversion v
 WHERE v.order_id = o.id AND v.number = o.current_version
"""


def backfill(apps, schema_editor):
    """Every order's key from its level and current version, in one statement on PostgreSQL."""
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKFILL_SQL)
        return
    order_model = apps.get_model("ratings", "RatedOrder")
    version_model = apps.get_model("ratings", "RatedOrderVersion")
    for order in order_model.objects.iterator():
        version = version_model.objects.filter(order_id=order.pk, number=order.current_version).first()
        if version is None:
            continue
        days = ((version.earliest_required_date or NO_REQUIRED_DATE) - dt.date(1970, 1, 1)).days
        key = LEVEL_BANDS.get(order.level, 2) * LEVEL_BAND + days
        order_model.objects.filter(pk=order.pk).update(precedence=key)


class Migration(migrations.Migration):
    dependencies = [
        ("ratings", "0024_change_agreement_notices"),
    ]

    operations = [
        migrations.AddField(
            model_name="ratedorder",
            name="precedence",
            field=models.IntegerField(
                default=22932896,
                editable=False,
                help_text="Level and the current version's earliest required date as one key (`precedence_key`).",
            ),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
        migrations.AddIndex(
            model_name="ratedorder",
            index=models.Index(fields=["supplier", "precedence"], name="order_supplier_precedence_idx"),
        ),
        migrations.AddIndex(
            model_name="ratedorder",
            index=models.Index(
                condition=models.Q(("status__in", ["issued", "amended"])),
                fields=["supplier", "precedence"],
                name="order_awaiting_precedence_idx",
            ),
        ),
    ]
