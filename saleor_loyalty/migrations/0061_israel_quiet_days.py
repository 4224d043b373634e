"""Israeli holidays (Yom Tov days, Israel's one-day reckoning) 2026-2029 for the quiet-day calendar.

Dates converted from the Hebrew calendar with pyluach (checked, not a dependency). Merchants add
further years or other countries as rows; Shabbat needs no rows (it is computed weekly).
"""

from datetime import date

from django.db import migrations

HOLIDAYS = [
    ("2026-04-02", "Pesach"), ("2026-04-08", "Shvi'i shel Pesach"), ("2026-05-22", "Shavuot"),
    ("2026-09-12", "Rosh Hashana"), ("2026-09-13", "Rosh Hashana II"), ("2026-09-21", "Yom Kippur"),
    ("2026-09-26", "Sukkot"), ("2026-10-03", "Shemini Atzeret / Simchat Torah"),
    ("2027-04-22", "Pesach"), ("2027-04-28", "Shvi'i shel Pesach"), ("2027-06-11", "Shavuot"),
    ("2027-10-02", "Rosh Hashana"), ("2027-10-03", "Rosh Hashana II"), ("2027-10-11", "Yom Kippur"),
    ("2027-10-16", "Sukkot"), ("2027-10-23", "Shemini Atzeret / Simchat Torah"),
    ("2028-04-11", "Pesach"), ("2028-04-17", "Shvi'i shel Pesach"), ("2028-05-31", "Shavuot"),
    ("2028-09-21", "Rosh Hashana"), ("2028-09-22", "Rosh Hashana II"), ("2028-09-30", "Yom Kippur"),
    ("2028-10-05", "Sukkot"), ("2028-10-12", "Shemini Atzeret / Simchat Torah"),
    ("2029-03-31", "Pesach"), ("2029-04-06", "Shvi'i shel Pesach"), ("2029-05-20", "Shavuot"),
]


def add_holidays(apps, schema_editor):
    QuietDay = apps.get_model("saleor_loyalty", "QuietDay")
    QuietDay.objects.bulk_create(
        [QuietDay(country="IL", day=date.fromisoformat(day), name=name) for day, name in HOLIDAYS],
        ignore_conflicts=True,
    )


def remove_holidays(apps, schema_editor):
    QuietDay = apps.get_model("saleor_loyalty", "QuietDay")
    QuietDay.objects.filter(country="IL", day__in=[date.fromisoformat(day) for day, _ in HOLIDAYS]).delete()


class Migration(migrations.Migration):
    dependencies = [("saleor_loyalty", "0060_consent_messaging")]

    operations = [migrations.RunPython(add_holidays, remove_holidays)]
