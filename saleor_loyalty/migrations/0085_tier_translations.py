"""Tier names per language as Saleor keeps translations; the Hebrew name column becomes a `he` translation."""

import django.db.models.deletion
from django.db import migrations, models


def hebrew_names_to_translations(apps, schema_editor):
    Tier = apps.get_model("saleor_loyalty", "Tier")
    TierTranslation = apps.get_model("saleor_loyalty", "TierTranslation")
    TierTranslation.objects.bulk_create(
        [
            TierTranslation(tier_id=pk, language_code="he", name=name_he)
            for pk, name_he in Tier.objects.exclude(name_he="").values_list("pk", "name_he")
        ]
    )


def translations_to_hebrew_names(apps, schema_editor):
    Tier = apps.get_model("saleor_loyalty", "Tier")
    TierTranslation = apps.get_model("saleor_loyalty", "TierTranslation")
    for tier_id, name in TierTranslation.objects.filter(language_code="he").values_list("tier_id", "name"):
        Tier.objects.filter(pk=tier_id).update(name_he=name)


class Migration(migrations.Migration):
    dependencies = [
        ("saleor_loyalty", "0081_checkout_benefits"),
    ]

    operations = [
        migrations.CreateModel(
            name="TierTranslation",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("language_code", models.CharField(max_length=35)),
                ("name", models.CharField(max_length=64)),
                (
                    "tier",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="translations",
                        to="saleor_loyalty.tier",
                    ),
                ),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(
                        fields=("tier", "language_code"), name="loyalty_tiertranslation_language_uniq"
                    )
                ],
            },
        ),
        migrations.RunPython(hebrew_names_to_translations, translations_to_hebrew_names),
        migrations.RemoveField(model_name="tier", name="name_he"),
    ]
