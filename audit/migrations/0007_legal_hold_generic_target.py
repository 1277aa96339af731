"""A legal hold names what it holds generically (object_type, object_id, reference) instead of
a foreign key to ratings.RatingRequest, so the audit app depends on no other app. Existing holds
are converted: every one of them held a rating request. Reversible."""

from django.db import migrations, models

REQUEST_LABEL = "ratings.RatingRequest"


def to_generic(apps, schema_editor):
    LegalHold = apps.get_model("audit", "LegalHold")
    for hold in LegalHold.objects.select_related("request").iterator():
        hold.object_type = REQUEST_LABEL
        hold.object_id = str(hold.request_id)
        hold.reference = hold.request.reference
        hold.save(update_fields=["object_type", "object_id", "reference"])


def to_request(apps, schema_editor):
    LegalHold = apps.get_model("audit", "LegalHold")
    others = LegalHold.objects.exclude(object_type=REQUEST_LABEL)
    if others.exists():
        raise RuntimeError("Legal holds on records other than rating requests cannot be converted back.")
    for hold in LegalHold.objects.iterator():
        hold.request_id = int(hold.object_id)
        hold.save(update_fields=["request"])


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0006_reason_trigram_index"),
        ("ratings", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="legalhold",
            name="object_type",
            field=models.CharField(
                default="",
                help_text="What is held: app label and model, e.g. ratings.RatingRequest.",
                max_length=80,
            ),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="legalhold",
            name="object_id",
            field=models.CharField(default="", help_text="Primary key of the held record.", max_length=64),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="legalhold",
            name="reference",
            field=models.CharField(
                blank=True, help_text="Human reference of the held record, e.g. PRR-2026-00042.", max_length=40
            ),
        ),
        # Nullable first, so that the reverse migration can add the column back before filling it.
        migrations.AlterField(
            model_name="legalhold",
            name="request",
            field=models.ForeignKey(
                null=True,
                on_delete=models.deletion.PROTECT,
                related_name="legal_holds",
                to="ratings.ratingrequest",
            ),
        ),
        migrations.RunPython(to_generic, to_request),
        migrations.RemoveField(model_name="legalhold", name="request"),
        migrations.AddIndex(
            model_name="legalhold",
            index=models.Index(fields=["object_type", "object_id"], name="audit_hold_object_idx"),
        ),
        migrations.AddConstraint(
            model_name="legalhold",
            constraint=models.UniqueConstraint(
                condition=models.Q(released_at__isnull=True),
                fields=("object_type", "object_id"),
                name="audit_hold_one_active",
            ),
        ),
    ]
