"""Seed the starting taxonomies (frontdoor/directory/taxonomy.py)."""

from django.db import migrations

from frontdoor.directory.taxonomy import taxonomy_seed


def seed(apps, schema_editor):
    taxonomy_seed(apps)


class Migration(migrations.Migration):
    dependencies = [("directory", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
