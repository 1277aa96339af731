from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("ratings", "0013_merge_indexes_reach_and_capacity")]

    operations = [
        migrations.AlterField(
            model_name="ratedorderversion",
            name="significance_basis",
            field=models.TextField(blank=True, help_text="Why the change is (not) significant, item by item."),
        ),
        migrations.AddField(
            model_name="ratedorderversion",
            name="changes",
            field=models.JSONField(
                blank=True,
                default=list,
                help_text="What this version changed, per item: [{position, what, before, after}] (the document prints it).",
            ),
        ),
    ]
