# The search index catches up by asking each searchable table for its newest `updated`
# before every search; an index on `updated` makes that a lookup, not a scan of a million rows.
# Written as SQL here so that the search app owns it (both SQLite and PostgreSQL accept it).

from django.db import migrations

TABLES = [
    "directory_organisation",
    "directory_place",
    "directory_programme",
    "directory_person",
    "directory_trial",
    "events_event",
]


class Migration(migrations.Migration):
    dependencies = [
        ("search", "0001_initial"),
        ("directory", "0002_taxonomy"),
        ("events", "0001_initial"),
    ]

    operations = [
        migrations.RunSQL(
            sql=f"CREATE INDEX IF NOT EXISTS search_{table}_updated ON {table} (updated)",
            reverse_sql=f"DROP INDEX IF EXISTS search_{table}_updated",
        )
        for table in TABLES
    ]
