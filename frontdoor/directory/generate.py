"""Clearly labelled synthetic organisations in volume, for load and scale testing.

Rows go in with bulk inserts, one transaction per batch, so a run can be stopped and
resumed: numbering continues after the highest synthetic number already present.
"""

import random

from django.db import transaction
from django.db.models import Max

from frontdoor.core.models import PublicationState
from frontdoor.directory.models import Organisation, Sector, Stage

SOURCE = "synthetic"
WORDS = [
    "Data",
    "Robot",
    "Quantum",
    "Signal",
    "Pixel",
    "Grid",
    "Cloud",
    "Spark",
    "Vector",
    "Orbit",
    "Beacon",
    "Circuit",
    "Atlas",
    "Harbour",
    "Lattice",
    "Meridian",
    "Nimbus",
    "Relay",
    "Summit",
    "Tensor",
    "Vertex",
    "Willow",
    "Kestrel",
    "Copper",
    "Lumen",
    "Forge",
    "Delta",
    "Prism",
]
SUFFIXES = [
    "Labs",
    "Systems",
    "Analytics",
    "Studio",
    "Works",
    "Networks",
    "AI",
    "Robotics",
    "Health",
]
LETTERS = "ABDEFGHJLNPQRSTUWXYZ"  # the letters a postcode's inward part may use
POSTCODE_AREAS = ["MK1", "MK2", "MK3", "MK5", "MK9", "MK10", "MK14", "B1", "B3", "M1", "LS1", "S1"]


def _next_number():
    last = Organisation.objects.filter(source=SOURCE).aggregate(m=Max("source_id"))["m"] or "0"
    return int(last) + 1


def organisations_generate(count, *, batch_size=10_000, seed=None, progress=None):
    """Add `count` synthetic published organisations in batches; returns how many were made."""
    rng = random.Random(seed)
    sector_ids = list(Sector.objects.values_list("pk", flat=True))
    stage_ids = list(Stage.objects.values_list("pk", flat=True))
    kinds = Organisation.Kind.values
    through = Organisation.sectors.through
    start = _next_number()
    made = 0
    while made < count:
        size = min(batch_size, count - made)
        numbers = range(start + made, start + made + size)
        rows = [_organisation(n, rng, kinds, stage_ids) for n in numbers]
        with transaction.atomic():
            # SQLite (3.35+) and PostgreSQL both return the new primary keys.
            Organisation.objects.bulk_create(rows, batch_size=2_000)
            links = [
                through(organisation_id=row.pk, sector_id=sector_id)
                for row in rows
                # 1 to 3 sectors each, as many as there are when a deployment has fewer.
                for sector_id in rng.sample(sector_ids, min(rng.randint(1, 3), len(sector_ids)))
            ]
            through.objects.bulk_create(links, batch_size=5_000)
        made += size
        if progress:
            progress(size)
    return made


def _organisation(number, rng, kinds, stage_ids):
    name = f"{rng.choice(WORDS)} {rng.choice(WORDS)} {rng.choice(SUFFIXES)} (synthetic {number})"
    area = rng.choice(POSTCODE_AREAS)
    return Organisation(
        name=name,
        slug=f"synthetic-{number:08d}",
        kind=rng.choice(kinds),
        stage_id=rng.choice(stage_ids) if stage_ids else None,
        summary="Synthetic record made by `frontdoor generate` for testing; not a real firm.",
        founded_year=rng.randint(1990, 2026),
        postcode=f"{area} {rng.randint(1, 9)}{rng.choice(LETTERS)}{rng.choice(LETTERS)}",
        state=PublicationState.PUBLISHED,
        source=SOURCE,
        source_id=f"{number:08d}",
    )
