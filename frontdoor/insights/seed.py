"""The starting areas, sector definitions and recodes, read from the versioned CSV files in
frontdoor/insights/data/. They are data: curators edit them in the admin; seeding only adds
what is missing (by slug or code), so it never overwrites a curator's change."""

import csv
import datetime
from pathlib import Path

from django.apps import apps as installed_apps

DATA = Path(__file__).parent / "data"


def read_rows(name):
    with open(DATA / name, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def insights_seed(apps=installed_apps):
    """Add any missing seed row; `apps` is a migration's app registry or the live one."""
    Definition = apps.get_model("insights", "SectorDefinition")
    Code = apps.get_model("insights", "SectorCode")
    Area = apps.get_model("insights", "Area")
    Recode = apps.get_model("insights", "Recode")
    for position, row in enumerate(read_rows("definitions.csv")):
        definition, created = Definition.objects.get_or_create(
            slug=row["slug"],
            defaults={
                "name": row["name"],
                "version": row["version"],
                "source": row["source"],
                "description": row["description"],
                "position": position,
            },
        )
        if created:
            Code.objects.bulk_create(
                Code(
                    definition=definition,
                    sic_class=r["sic_class"],
                    code=r["code"],
                    subsector=r["subsector"],
                )
                for r in read_rows("sectors.csv")
                if r["definition"] == row["slug"]
            )
    rows = read_rows("areas.csv")
    made = {}
    for position, row in enumerate(rows):
        area, created = Area.objects.get_or_create(
            slug=row["slug"],
            defaults={
                "name": row["name"],
                "kind": row["kind"],
                "codes": row["codes"],
                "description": row["description"],
                "position": position,
            },
        )
        if created:
            made[row["slug"]] = (area, row["peers"].split())
    for area, peer_slugs in made.values():
        area.peers.set(Area.objects.filter(slug__in=peer_slugs))
    for row in read_rows("recodes.csv"):
        Recode.objects.get_or_create(
            old_code=row["old_code"],
            defaults={
                "new_code": row["new_code"],
                "effective": datetime.date.fromisoformat(row["effective"]),
                "note": row["note"],
            },
        )
