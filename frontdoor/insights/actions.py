"""Writes with side effects: adding the registry's missing tech companies to the directory."""

import datetime

import polars as pl
from django.contrib.admin.models import ADDITION, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils.text import slugify

from frontdoor.core.demo import unique_slug
from frontdoor.core.models import PublicationState
from frontdoor.directory.models import Organisation
from frontdoor.insights.figures import scan, subsector
from frontdoor.insights.geography import postcode_text
from frontdoor.insights.models import Snapshot

SOURCE = "companies-house"
BATCH = 500


def listed_numbers(numbers, organisations=None):
    """Which of these company numbers the directory already has (by default in any state,
    so that nothing is added twice; any source)."""
    if organisations is None:
        organisations = Organisation.objects.all()
    found = set()
    numbers = list(numbers)
    for i in range(0, len(numbers), BATCH):
        chunk = numbers[i : i + BATCH]
        found.update(
            organisations.filter(company_number__in=chunk).values_list("company_number", flat=True)
        )
        found.update(
            organisations.filter(source=SOURCE, source_id__in=chunk).values_list(
                "source_id", flat=True
            )
        )
    return found


def coverage(figures):
    """How many of the area's registry tech companies the public directory lists, how many
    more wait as drafts, and how many it does not have at all."""
    numbers = figures.get("registry_numbers", [])
    listed = listed_numbers(numbers, Organisation.objects.published())
    known = listed_numbers(numbers)
    return {
        "registry": len(numbers),
        "listed": len(listed),
        # Drafts, archived listings and the like: not public, but not to be added again.
        "unpublished": len(known - listed),
        "missing": len(numbers) - len(known),
        "share": round(len(listed) / len(numbers), 4) if numbers else None,
    }


@transaction.atomic
def organisations_add_missing(*, figures, definition, acting_user, limit=None):
    """Add the area's unlisted registry tech companies as draft, unclaimed organisations.

    Only public register facts go in: name, number, registered postcode, a SIC-derived
    summary. No officers or people. Drafts, because a registered office is often an
    accountant's address and a curator should check a firm really works here before it is
    published. Returns how many were added.
    """
    # Locked, so a second curator pressing the button meanwhile waits for this run and then
    # finds nothing missing, instead of both adding the same companies.
    snapshot = Snapshot.objects.select_for_update().get(
        month=datetime.date.fromisoformat(figures["month"])
    )
    numbers = figures.get("registry_numbers", [])
    missing = sorted(set(numbers) - listed_numbers(numbers))
    if limit is not None:
        missing = missing[:limit]
    if not missing:
        return 0
    rows = (
        scan(snapshot)
        .filter(pl.col("number").is_in(missing))
        .select(
            "number",
            "name",
            "postcode",
            "incorporated",
            subsector(definition.code_table()).alias("subsector"),
        )
        .unique("number")
        .sort("number")
        .collect()
    )
    today = datetime.date.today()
    organisations = [
        Organisation(
            name=row["name"][:200],
            slug=f"{slugify(row['name'])[:180]}-{row['number'].lower()}",
            kind=Organisation.Kind.SME,
            summary=(
                f"Registered with Companies House ({row['subsector'] or definition.name}). "
                "Added from the open register; not yet checked or claimed."
            )[:300],
            company_number=row["number"],
            postcode=postcode_text(row["postcode"]),
            founded_year=row["incorporated"].year if row["incorporated"] else None,
            state=PublicationState.DRAFT,
            source=SOURCE,
            source_id=row["number"],
            last_verified=None,
        )
        for row in rows.iter_rows(named=True)
    ]
    _make_slugs_unique(organisations)
    Organisation.objects.bulk_create(organisations, batch_size=BATCH)
    _audit(acting_user, len(organisations), figures, today)
    return len(organisations)


def _make_slugs_unique(organisations):
    """A slug already taken (say, by an earlier draft whose number a curator cleared) gets a
    numbered suffix. One query per batch finds the taken ones; the rest need no check."""
    wanted = [o.slug for o in organisations]
    taken = set()
    for i in range(0, len(wanted), BATCH):
        chunk = wanted[i : i + BATCH]
        taken.update(Organisation.objects.filter(slug__in=chunk).values_list("slug", flat=True))
    for organisation in organisations:
        if organisation.slug in taken:
            organisation.slug = unique_slug(Organisation, organisation.slug, None)


def _audit(user, count, figures, day):
    """One row in the admin's log, the audit trail curators already read."""
    if user is None or not user.pk:
        return
    LogEntry.objects.create(
        user_id=user.pk,
        content_type=ContentType.objects.get_for_model(Organisation),
        object_repr=f"{count} companies from Companies House ({figures['area']['name']})"[:200],
        action_flag=ADDITION,
        change_message=f"Added on {day:%Y-%m-%d} from the {figures['month']} snapshot "
        f"({figures['definition']['name']}).",
    )
