"""Seed table of the SIFO reference budget (monthly kroner), to be replaced yearly by the admin.

Source: SIFO referansebudsjett (OsloMet), published yearly. The figures below are rounded seed values
of the 2025 table's order of magnitude for the bands this product keeps; they exist so that budgets can be
made from the first day. Admins enter the current year's table in Django admin (SIFO rates).
"""

import datetime

from django.db import migrations

SOURCE = "SIFO referansebudsjett 2025 (OsloMet), rounded seed values - replace with the current table"
ROWS = {
    "adult": 7_100,
    "senior": 6_300,
    "child_0_5": 3_300,
    "child_6_13": 4_600,
    "child_14_17": 5_800,
    "household_1": 2_700,
    "household_2": 3_300,
    "household_3": 3_900,
    "household_4": 4_400,
    "household_5": 4_900,
    "household_6": 5_300,
}


def seed(apps, schema_editor):
    SifoRate = apps.get_model("finance_advice", "SifoRate")
    for item, monthly in ROWS.items():
        SifoRate.objects.get_or_create(
            item=item, valid_from=datetime.date(2025, 1, 1), defaults={"monthly": monthly, "source": SOURCE}
        )


class Migration(migrations.Migration):
    dependencies = [("finance_advice", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
