"""The figures: per area, sector definition and month, computed from the stored snapshots.

The method is written out in docs/insights.md (and on the method page). In short:
- a company is *active* when its CompanyStatus begins with "Active";
- it is *in a sector definition* when any of its four SIC codes is in the definition;
- it is *in an area* when its registered office postcode falls in the area's local
  authorities (or postcode districts);
- flows (disappearances, survival) compare snapshots: a company absent from a later snapshot
  has left the live register (dissolved or struck off).

Work is done with Polars on the Parquet snapshots; per-area figures are cached as JSON under
DATA_DIR/insights/figures/, keyed on everything they depend on, so pages read a small file.
"""

import datetime
import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path

import polars as pl
from django.db import transaction

from frontdoor.insights.companies import NUMBER_UNSURE, sic_code
from frontdoor.insights.companies_format import SIZE_BANDS, SIZE_ORDER
from frontdoor.insights.geography import (
    DISTRICT,
    district_key,
    insights_dir,
    locate_rows,
    postcode_key,
    recode_map,
    source_description,
)
from frontdoor.insights.models import Area, SectorDefinition, Snapshot

# Bump when the method changes, so cached figures are recomputed.
METHOD_VERSION = 6
SURVIVAL_YEARS = (1, 3, 5)
YEARS_SHOWN = 10
COLUMNS = ["number", "postcode", "active", "incorporated", "dissolved", "accounts", "old_sic"]
SIC_COLUMNS = [f"sic{i}" for i in range(1, 5)]
ACTIVE = "active"
LEGACY = "legacy_sic_only"


def snapshot_path(snapshot):
    return insights_dir() / snapshot.filename


def scan(snapshot):
    """The good rows of a snapshot, lazily."""
    frame = _in_current_form(pl.scan_parquet(snapshot_path(snapshot)))
    return frame.filter(pl.col("problem").is_null())


def on_register(snapshot):
    """Every company in a snapshot, lazily: a row that failed only checks other than its
    number's (a bad date, say) still shows its company is on the register."""
    frame = _in_current_form(pl.scan_parquet(snapshot_path(snapshot)))
    return frame.filter((pl.col("problem").fill_null(0) & NUMBER_UNSURE) == 0)


def places_of(snapshot, recodes):
    """The snapshot's distinct postcodes with their local authority, recodes applied."""
    frame = _in_current_form(pl.scan_parquet(insights_dir() / snapshot.postcodes_filename))
    return frame.with_columns(pl.col("lad").replace(recodes)).collect()


def snapshots_relocate():
    """Locate every snapshot's postcodes again, with the postcode lookup now in use (each
    was located with the one of its import); returns how many snapshots."""
    source = source_description()[:200]
    snapshots = list(Snapshot.objects.all())
    for snapshot in snapshots:
        places, located = locate_rows(scan(snapshot))
        path = insights_dir() / snapshot.postcodes_filename
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        try:
            places.write_parquet(tmp)
            with transaction.atomic():
                Snapshot.objects.filter(pk=snapshot.pk).update(
                    located_rows=located,
                    postcode_source=source,
                )
            os.replace(tmp, path)
        finally:
            tmp.unlink(missing_ok=True)
    return len(snapshots)


def _in_current_form(frame):
    """Snapshots imported by earlier versions hold postcodes and SIC codes as text, and the
    status text rather than the active flag: read them in today's form, so they need no
    import again."""
    schema = frame.collect_schema()
    if schema["postcode"] == pl.String:
        frame = frame.with_columns(postcode=postcode_key(pl.col("postcode")))
    if schema.get("sic1") == pl.String:  # "62012", "7222" (legacy), "None" (none supplied)
        frame = frame.with_columns(
            old_sic=(pl.col("sic1").str.len_chars() == 4) & (pl.col("sic1") != "None"),
            **{c: pl.when(pl.col(c).str.len_chars() == 5).then(sic_code(c)) for c in SIC_COLUMNS},
        )
    if "status" in schema:
        frame = frame.with_columns(
            pl.col("status").cast(pl.String).str.starts_with("Active").alias(ACTIVE)
        )
    return frame


def active():
    return pl.col(ACTIVE)


def legacy_only():
    """Only old codes given (legacy four-digit SIC 2003 codes), so no sector can be told."""
    return pl.col("old_sic") & pl.all_horizontal(pl.col(c).is_null() for c in SIC_COLUMNS)


def in_codes(codes):
    codes = [int(c) for c in codes]
    return pl.any_horizontal(pl.col(c).is_in(codes) for c in SIC_COLUMNS).fill_null(False)


def subsector(table):
    table = {int(code): name for code, name in table.items()}
    return pl.coalesce(
        pl.col(c).replace_strict(table, default=None, return_dtype=pl.String) for c in SIC_COLUMNS
    )


def in_area(area, recodes=None):
    codes = area.code_list
    if area.by_district:
        return in_districts(codes)
    recodes = recode_map() if recodes is None else recodes
    codes = sorted({recodes.get(c, c) for c in codes})
    return pl.col("lad").cast(pl.String).is_in(codes).fill_null(False)


def in_districts(codes):
    keys = [district_key(c) for c in codes]
    return (pl.col("postcode") // DISTRICT).is_in(keys).fill_null(False)


def add_months(day, months):
    index = day.year * 12 + day.month - 1 + months
    return datetime.date(index // 12, index % 12 + 1, 1)


@dataclass
class Register:
    """The snapshots up to a month, and every count the figures of the loaded areas and
    definitions need (`Counts`)."""

    snapshots: list
    uk: dict
    counts: "Counts"
    survival_starts: dict  # {years: the snapshot month whose cohorts are measured}

    @classmethod
    def load(cls, areas, definitions, month=None):
        snapshots = list(Snapshot.objects.order_by("month"))
        if month:
            snapshots = [s for s in snapshots if s.month <= month]
        if not snapshots:
            return None
        areas = list({a.slug: a for a in areas}.values())  # a peer may be listed twice
        recodes = recode_map()
        lads = sorted({recodes.get(c, c) for a in areas if not a.by_district for c in a.code_list})
        districts = sorted({c for a in areas if a.by_district for c in a.code_list})
        queries, places = [], {}
        for s in snapshots:
            # Only the postcodes in the areas' districts matter: a small table to join.
            places[s.month] = places_of(s, recodes).filter(pl.col("lad").is_in(lads))
            wanted = places[s.month]["postcode"]
            queries.append(
                scan(s)
                .filter(pl.col("postcode").is_in(wanted.implode()) | in_districts(districts))
                .select(*COLUMNS, *SIC_COLUMNS)
            )
        latest = snapshots[-1]
        queries.append(
            scan(latest)
            .filter(active())
            .select(
                all=pl.len(),
                **{f"in:{d.slug}": in_codes(d.code_table()).sum() for d in definitions},
            )
        )
        # Run together, so the scans of the newest snapshot overlap.
        *frames, uk = pl.collect_all(queries)
        rows = pl.collect_all(
            _by_area(frame, places[s.month], areas, definitions, recodes)
            for s, frame in zip(snapshots, frames, strict=True)
        )
        subsets = {s.month: r.lazy() for s, r in zip(snapshots, rows, strict=True)}
        by_month = {s.month: s for s in snapshots}
        gone = {}
        for before, after in zip(snapshots, snapshots[1:], strict=False):
            numbers = on_register(after).select("number")
            gone[before.month] = subsets[before.month].join(numbers, on="number", how="anti")
        survivors = {}  # {years: (start month, the numbers active `years` later)}
        for years in SURVIVAL_YEARS:
            for start in reversed(snapshots):
                end = add_months(start.month, 12 * years)
                if end in by_month:
                    alive = on_register(by_month[end]).filter(active()).select("number")
                    survivors[years] = (start.month, alive)
                    break
        counts = Counts.of(subsets, gone, survivors, definitions)
        starts = {years: start for years, (start, _) in survivors.items()}
        return cls(snapshots, uk.row(0, named=True), counts, starts)


def _by_area(frame, places, areas, definitions, recodes):
    """A snapshot's rows once per area they are in (a company in Birmingham is in the West
    Midlands too), with the area and one boolean column per definition, computed once."""
    located = frame.join(places.select("postcode", "lad"), on="postcode", how="left").with_columns(
        pl.col("accounts").cast(pl.String),
        legacy_only().alias(LEGACY),
        *(in_codes(d.code_table()).alias(f"in:{d.slug}") for d in definitions),
    )
    slugs = pl.Enum([a.slug for a in areas])  # an Enum groups faster than text
    return pl.concat(
        located.lazy()
        .filter(in_area(a, recodes))
        .select(pl.lit(a.slug, dtype=slugs).alias("area"), pl.exclude("postcode", "lad"))
        for a in areas
    )


@dataclass
class Counts:
    """Every count the figures need, per area and definition, for all the loaded ones at once:
    a few group-bys over the rows of all areas, instead of a dozen small queries for each
    area and definition (each query costs about a millisecond however small it is). A
    definition is known here by its column's name, "in:<slug>"."""

    areas: dict  # {area: {"active": n, "legacy": n, definition: n active in it}}
    accounts: dict  # {(area, definition): {accounts category: n active}}
    subsectors: dict  # {(area, definition): [(subsector, n active)], largest first}
    numbers: dict  # {(area, definition): the active companies' numbers, sorted}
    born: dict  # {(area, definition): {year: n ever seen incorporated in it}}
    dissolved: dict  # {(area, definition): {year: n with a dissolution date in it}}
    gone: dict  # {(month, area, definition): n gone by the next snapshot}
    survival: dict  # {(years, area, definition): (cohort, survivors)}

    @classmethod
    def of(cls, subsets, gone, survivors, definitions):
        latest = subsets[max(subsets)]
        act = pl.col(ACTIVE)
        # Each count is named as the definition's column ("in:<slug>"), which no other name
        # can be (a definition may be slugged "area" or "year").
        sector = {f"in:{d.slug}": pl.col(f"in:{d.slug}") for d in definitions}
        queries = {
            "areas": latest.group_by("area").agg(
                active=act.sum(),
                legacy=(act & pl.col(LEGACY)).sum(),
                **{d: (act & s).sum() for d, s in sector.items()},
            ),
            "accounts": latest.filter(act)
            .group_by("area", "accounts")
            .agg(**{d: s.sum() for d, s in sector.items()}),
            "numbers": latest.filter(act)
            .group_by("area")
            .agg(**{d: pl.col("number").filter(s).sort() for d, s in sector.items()}),
            # Dissolution dates of companies of any status still in the file: few, as
            # dissolved companies leave the register (the disappearances count those).
            "dissolved": latest.filter(pl.col("dissolved").is_not_null())
            .group_by("area", year=pl.col("dissolved").dt.year())
            .agg(**{d: s.sum() for d, s in sector.items()}),
        }
        # Incorporations: every company ever seen in the area and sector, in any snapshot;
        # its incorporation date as the newest snapshot gives it.
        seen = pl.concat(subsets[month] for month in sorted(subsets))
        for d in definitions:
            column = f"in:{d.slug}"
            queries[f"born:{column}"] = (
                seen.filter(pl.col(column))
                .unique(["area", "number"], keep="last")
                .group_by("area", year=pl.col("incorporated").dt.year())
                .len()
            )
            queries[f"mix:{column}"] = (  # grouped by SIC codes before the lookup
                latest.filter(act & pl.col(column))
                .group_by("area", *SIC_COLUMNS)
                .len()
                .group_by("area", subsector(d.code_table()).alias("subsector"))
                .agg(pl.col("len").sum())
            )
        for month, frame in gone.items():
            queries[f"gone:{month}"] = frame.group_by("area").agg(
                **{d: s.sum() for d, s in sector.items()}
            )
        incorporated = pl.col("incorporated")
        for years, (start, alive) in survivors.items():
            # The cohort: active companies incorporated in the year before the start month.
            cohort = subsets[start].filter(
                act & (incorporated >= add_months(start, -12)) & (incorporated < start)
            )
            for name, rows in (
                ("cohort", cohort),
                ("survived", cohort.join(alive, on="number", how="semi")),
            ):
                queries[f"{name}:{years}"] = rows.group_by("area").agg(
                    **{d: s.sum() for d, s in sector.items()}
                )
        found = dict(zip(queries, pl.collect_all(queries.values()), strict=True))
        rows = {name: list(frame.iter_rows(named=True)) for name, frame in found.items()}
        columns = list(sector)
        subsectors = {}
        for d in columns:
            for r in rows[f"mix:{d}"]:
                subsectors.setdefault((r["area"], d), []).append((r["subsector"], r["len"]))
        for mix in subsectors.values():
            mix.sort(key=lambda item: (-item[1], item[0]))
        survival = {}
        for years in survivors:
            survived = _per_area(rows[f"survived:{years}"], columns)
            for (area, d), cohort in _per_area(rows[f"cohort:{years}"], columns).items():
                survival[(years, area, d)] = (cohort, survived.get((area, d), 0))
        return cls(
            areas={r["area"]: r for r in rows["areas"]},
            accounts=_per_area(rows["accounts"], columns, by="accounts"),
            subsectors=subsectors,
            numbers={(r["area"], d): r[d] for r in rows["numbers"] for d in columns},
            born={
                (area, d): years
                for d in columns
                for (area, _), years in _per_area(rows[f"born:{d}"], ["len"], by="year").items()
            },
            dissolved=_per_area(rows["dissolved"], columns, by="year"),
            gone={
                (month, area, d): n
                for month in gone
                for (area, d), n in _per_area(rows[f"gone:{month}"], columns).items()
            },
            survival=survival,
        )


def _per_area(rows, columns, by=None):
    """{(area, column): count} from rows of counts per area, or with `by`,
    {(area, column): {row[by]: count}}; zero counts left out."""
    found = {}
    for r in rows:
        for column in columns:
            if not r[column]:
                continue
            if by is None:
                found[(r["area"], column)] = r[column]
            else:
                found.setdefault((r["area"], column), {})[r[by]] = r[column]
    return found


def _survival_missing(years, span):
    """Why survival at `years` cannot be measured, given how many months the snapshots span."""
    apart = f"Needs two snapshots {years} year{'s' if years > 1 else ''} apart"
    if span < 12 * years:
        return (
            f"{apart}; the snapshots imported so far span {span} month{'s' if span != 1 else ''}."
        )
    return f"{apart}, taken in the same month of the year; no two imported so far are."


def _share(part, whole):
    return round(part / whole, 6) if whole else None


def compute(register, area, definition, peers=()):
    """Every figure for one area and definition, as plain JSON-ready data."""
    column = f"in:{definition.slug}"  # what Counts names the definition's counts
    counts, key = register.counts, (area.slug, column)
    latest = register.snapshots[-1]

    def headline_of(area):
        found = counts.areas.get(area.slug, {})
        return found.get("active", 0), found.get(column, 0)

    active_all, active_sector = headline_of(area)
    uk_all, uk_sector = register.uk["all"], register.uk[column]
    uk_share = _share(uk_sector, uk_all)
    share = _share(active_sector, active_all)
    by_accounts = counts.accounts.get(key, {})
    headline = {
        "active_all": active_all,
        "active_sector": active_sector,
        "share": share,
        "uk_active_all": uk_all,
        "uk_active_sector": uk_sector,
        "uk_share": uk_share,
        "uk_located_share": _share(latest.located_rows, latest.rows - latest.bad_rows),
        "lq": round(share / uk_share, 3) if share is not None and uk_share else None,
        "dormant": by_accounts.get("DORMANT", 0),
        "legacy_sic_only": counts.areas.get(area.slug, {}).get("legacy", 0),
    }
    first_year = latest.month.year - YEARS_SHOWN + 1
    born = counts.born.get(key, {})
    incorporations = _years(born, first_year, latest.month.year)
    dissolutions = _years(counts.dissolved.get(key, {}), first_year, latest.month.year + 1)

    disappearances = [
        {
            "from": before.month.isoformat(),
            "to": after.month.isoformat(),
            "count": counts.gone.get((before.month, *key), 0),
        }
        for before, after in zip(register.snapshots, register.snapshots[1:], strict=False)
    ]
    net = []
    if disappearances:
        gone_by_year = {}
        for d in disappearances:
            year = datetime.date.fromisoformat(d["to"]).year
            gone_by_year[year] = gone_by_year.get(year, 0) + d["count"]
        for year in sorted(gone_by_year):
            net.append(
                {
                    "year": year,
                    "incorporations": born.get(year, 0),
                    "disappearances": gone_by_year[year],
                    "net": born.get(year, 0) - gone_by_year[year],
                }
            )

    survival = []
    span = (latest.month.year - register.snapshots[0].month.year) * 12 + (
        latest.month.month - register.snapshots[0].month.month
    )
    for years in SURVIVAL_YEARS:
        start = register.survival_starts.get(years)
        if start is None:
            survival.append(
                {
                    "years": years,
                    "available": False,
                    "reason": _survival_missing(years, span),
                }
            )
            continue
        cohort, survivors = counts.survival.get((years, *key), (0, 0))
        survival.append(
            {
                "years": years,
                "available": True,
                "cohort_from": add_months(start, -12).isoformat(),
                "cohort_to": (start - datetime.timedelta(days=1)).isoformat(),
                "measured_at": add_months(start, 12 * years).isoformat(),
                "cohort": cohort,
                "survivors": survivors,
                "rate": _share(survivors, cohort),
            }
        )

    subsectors = [
        {"subsector": name, "count": n, "share": _share(n, active_sector)}
        for name, n in counts.subsectors.get(key, [])
    ]
    counted = {}
    for category, count in by_accounts.items():
        band = SIZE_BANDS.get(category, "Other or not given")
        counted[band] = counted.get(band, 0) + count
    sizes = [
        {"band": b, "count": counted[b], "share": _share(counted[b], active_sector)}
        for b in SIZE_ORDER
        if counted.get(b)
    ]

    comparison = []
    for other in [area, *peers]:
        o_all, o_sector = headline_of(other)
        o_share = _share(o_sector, o_all)
        comparison.append(
            {
                "slug": other.slug,
                "name": other.name,
                "active_all": o_all,
                "active_sector": o_sector,
                "share": o_share,
                "lq": round(o_share / uk_share, 3) if o_share is not None and uk_share else None,
            }
        )
    comparison.append(
        {
            "slug": "",
            "name": "United Kingdom",
            "active_all": uk_all,
            "active_sector": uk_sector,
            "share": uk_share,
            "lq": 1.0 if uk_share else None,
        }
    )
    return {
        "method_version": METHOD_VERSION,
        "area": {
            "slug": area.slug,
            "name": area.name,
            "kind": area.get_kind_display(),
            "codes": area.code_list,
        },
        "definition": {
            "slug": definition.slug,
            "name": definition.name,
            "version": definition.version,
        },
        "month": latest.month.isoformat(),
        "snapshots": [s.month.isoformat() for s in register.snapshots],
        "headline": headline,
        "incorporations": incorporations,
        "dissolutions": dissolutions,
        "disappearances": disappearances,
        "net_formation": net,
        "survival": survival,
        "subsectors": subsectors,
        "sizes": sizes,
        "peers": comparison,
        # For directory coverage (which registry firms the directory lists); not shown.
        "registry_numbers": counts.numbers.get(key, []),
    }


def _years(counts, first, last):
    return [{"year": y, "count": counts.get(y, 0)} for y in range(first, last + 1)]


def cache_key(area, definition, snapshots, recodes=None):
    peers = list(area.peers.all())
    recodes = recode_map() if recodes is None else recodes
    payload = {
        "v": METHOD_VERSION,
        "snapshots": [
            (s.month.isoformat(), s.checksum, s.postcode_source, s.located_rows) for s in snapshots
        ],
        "areas": [(a.slug, a.name, a.kind, a.code_list) for a in [area, *peers]],
        "definition": (
            definition.slug,
            definition.name,
            definition.version,
            sorted(definition.code_table().items()),
        ),
        "recodes": sorted(recodes.items()),
    }
    return hashlib.sha256(json.dumps(payload, default=str).encode()).hexdigest()[:32]


def _cache_file(key):
    folder = insights_dir() / "figures"
    folder.mkdir(exist_ok=True)
    return folder / f"{key}.json"


def figures_for(area, definition, month=None, *, cached_only=False):
    """The figures for an area and definition (as of a month), from the cache or computed.

    With cached_only, None when they are not cached (a page listing many areas then fills
    the cache for all of them in one pass instead of one scan per area)."""
    snapshots = list(Snapshot.objects.order_by("month"))
    if month:
        snapshots = [s for s in snapshots if s.month <= month]
    if not snapshots:
        return None
    path = _cache_file(cache_key(area, definition, snapshots))
    if path.exists():
        return json.loads(path.read_text())
    if cached_only:
        return None
    peers = list(area.peers.all())
    register = Register.load([area, *peers], [definition], snapshots[-1].month)
    result = compute(register, area, definition, peers)
    _write(path, result)
    return result


def _write(path, result):
    tmp = Path(f"{path}.{os.getpid()}.tmp")  # two workers may fill the same entry at once
    tmp.write_text(json.dumps(result))
    tmp.replace(path)


def figures_refresh(progress=None):
    """Compute and cache the figures of every area and definition, for the newest month."""
    areas = list(Area.objects.prefetch_related("peers"))
    definitions = list(SectorDefinition.objects.prefetch_related("codes"))
    snapshots = list(Snapshot.objects.order_by("month"))
    if not snapshots or not areas or not definitions:
        return 0
    register = Register.load(areas, definitions)
    recodes = recode_map()
    for definition in definitions:
        for area in areas:
            path = _cache_file(cache_key(area, definition, snapshots, recodes))
            _write(path, compute(register, area, definition, list(area.peers.all())))
            if progress:
                progress(1)
    return len(areas) * len(definitions)
