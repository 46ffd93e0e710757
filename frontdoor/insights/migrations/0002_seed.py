"""Seed the areas, sector definitions and recodes (frontdoor/insights/data/*.csv)."""

from django.db import migrations

from frontdoor.insights.seed import insights_seed


def seed(apps, schema_editor):
    insights_seed(apps)


class Migration(migrations.Migration):
    dependencies = [("insights", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
