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
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
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
COLUMNS = ["number", "postcode", "status", "incorporated", "dissolved", "accounts", "old_sic"]
SIC_COLUMNS = [f"sic{i}" for i in range(1, 5)]
ACTIVE = "is_active"
LEGACY = "legacy_sic_only"


def snapshot_path(snapshot):
    return insights_dir() / snapshot.filename


def scan(snapshot):
    """The good rows of a snapshot, lazily."""
    frame = _as_numbers(pl.scan_parquet(snapshot_path(snapshot)))
    return frame.filter(pl.col("problem").is_null())


def on_register(snapshot):
    """Every company in a snapshot, lazily: a row that failed only checks other than its
    number's (a bad date, say) still shows its company is on the register."""
    frame = _as_numbers(pl.scan_parquet(snapshot_path(snapshot)))
    return frame.filter((pl.col("problem").fill_null(0) & NUMBER_UNSURE) == 0)


def places_of(snapshot, recodes):
    """The snapshot's distinct postcodes with their local authority, recodes applied."""
    frame = _as_numbers(pl.scan_parquet(insights_dir() / snapshot.postcodes_filename))
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


def _as_numbers(frame):
    """Snapshots imported before postcodes and SIC codes were stored as numbers hold their
    text: read it as the numbers, so they need no import again."""
    schema = frame.collect_schema()
    if schema["postcode"] == pl.String:
        frame = frame.with_columns(postcode=postcode_key(pl.col("postcode")))
    if schema.get("sic1") == pl.String:  # "62012", "7222" (legacy), "None" (none supplied)
        frame = frame.with_columns(
            old_sic=(pl.col("sic1").str.len_chars() == 4) & (pl.col("sic1") != "None"),
            **{c: pl.when(pl.col(c).str.len_chars() == 5).then(sic_code(c)) for c in SIC_COLUMNS},
        )
    return frame


def active():
    return pl.col("status").cast(pl.String).str.starts_with("Active")


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
    """The snapshots up to a month, cut down to the rows of the areas being computed."""

    snapshots: list
    subsets: dict
    uk: pl.DataFrame
    gone: dict
    survivors: dict
    recodes: dict
    # Each area's rows per snapshot, cut once and reused for every definition and peer.
    _cut: dict = field(default_factory=dict)

    def of(self, area, month, gone=False):
        """The rows of `area` in a month's subset, or those of them gone by the next one."""
        frames = self.gone if gone else self.subsets
        key = (area.slug, month, gone)
        if key not in self._cut:
            # Without the area columns: every later filter copies fewer of them.
            self._cut[key] = (
                frames[month]
                .filter(pl.col(f"at:{area.slug}"))
                .select(pl.exclude("^at:.*$", "postcode", "lad", "status"))
            )
        return self._cut[key]

    def active_of(self, area):
        """The active companies of `area` in the newest snapshot."""
        key = (area.slug, "active")
        if key not in self._cut:
            self._cut[key] = self.of(area, self.snapshots[-1].month).filter(pl.col(ACTIVE))
        return self._cut[key]

    @classmethod
    def load(cls, areas, definitions, month=None):
        snapshots = list(Snapshot.objects.order_by("month"))
        if month:
            snapshots = [s for s in snapshots if s.month <= month]
        if not snapshots:
            return None
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
                **{d.slug: in_codes(d.code_table()).sum() for d in definitions},
            )
        )
        # Run together, so the scans of the newest snapshot overlap.
        *frames, uk = pl.collect_all(queries)
        subsets = {}
        for s, frame in zip(snapshots, frames, strict=True):
            # One boolean column per area and definition, computed once: the figures then
            # filter on plain columns, dozens of times, instead of re-testing codes.
            subsets[s.month] = frame.join(
                places[s.month].select("postcode", "lad"), on="postcode", how="left"
            ).with_columns(
                active().alias(ACTIVE),
                legacy_only().alias(LEGACY),
                *(in_codes(d.code_table()).alias(f"in:{d.slug}") for d in definitions),
                *(in_area(a, recodes).alias(f"at:{a.slug}") for a in areas),
            )
        by_month = {s.month: s for s in snapshots}
        gone = {}
        for before, after in zip(snapshots, snapshots[1:], strict=False):
            numbers = on_register(after).select("number")
            gone[before.month] = (
                subsets[before.month].lazy().join(numbers, on="number", how="anti").collect()
            )
        survivors = {}
        for years in SURVIVAL_YEARS:
            for start in reversed(snapshots):
                end = add_months(start.month, 12 * years)
                if end in by_month:
                    alive = on_register(by_month[end]).filter(active()).select("number")
                    survivors[(start.month, years)] = (
                        subsets[start.month]
                        .lazy()
                        .select("number")
                        .join(alive, on="number", how="semi")
                        .collect()["number"]
                    )
                    break
        return cls(snapshots, subsets, uk, gone, survivors, recodes)


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


def compute(register, area, definition, peers=(), table=None):
    """Every figure for one area and definition, as plain JSON-ready data."""
    table = definition.code_table() if table is None else table
    sector = pl.col(f"in:{definition.slug}")
    latest = register.snapshots[-1]
    act = register.active_of(area)
    tech = act.filter(sector)
    uk_all = int(register.uk["all"][0])
    uk_sector = int(register.uk[definition.slug][0])
    uk_share = _share(uk_sector, uk_all)
    share = _share(tech.height, act.height)
    legacy_only = int(act[LEGACY].sum())
    # Grouped before anything is looked up: a few dozen groups instead of every company.
    by_accounts = dict(tech.group_by(pl.col("accounts").cast(pl.String)).len().iter_rows())
    headline = {
        "active_all": act.height,
        "active_sector": tech.height,
        "share": share,
        "uk_active_all": uk_all,
        "uk_active_sector": uk_sector,
        "uk_share": uk_share,
        "uk_located_share": _share(latest.located_rows, latest.rows - latest.bad_rows),
        "lq": round(share / uk_share, 3) if share is not None and uk_share else None,
        "dormant": by_accounts.get("DORMANT", 0),
        "legacy_sic_only": legacy_only,
    }

    # Incorporations: every company ever seen in the area and sector, in any snapshot.
    seen = pl.concat(
        [
            register.of(area, s.month).select(pl.col("number", "incorporated").filter(sector))
            for s in register.snapshots
        ]
    ).unique("number")
    first_year = latest.month.year - YEARS_SHOWN + 1
    born = _per_year(seen["incorporated"])
    incorporations = _years(born, first_year, latest.month.year)
    # Dissolution dates of companies of any status still in the file: few, as dissolved
    # companies leave the register (the disappearances count those).
    dissolved = (
        register.of(area, latest.month)
        .select(pl.col("dissolved").filter(sector).drop_nulls())
        .to_series()
    )
    dissolutions = _years(_per_year(dissolved), first_year, latest.month.year + 1)

    disappearances = []
    for before, after in zip(register.snapshots, register.snapshots[1:], strict=False):
        gone = register.of(area, before.month, gone=True).filter(sector)
        disappearances.append(
            {"from": before.month.isoformat(), "to": after.month.isoformat(), "count": gone.height}
        )
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
        start = next((m for (m, y) in register.survivors if y == years), None)
        if start is None:
            survival.append(
                {
                    "years": years,
                    "available": False,
                    "reason": _survival_missing(years, span),
                }
            )
            continue
        cohort_from = add_months(start, -12)
        cohort = register.of(area, start).filter(
            sector
            & pl.col(ACTIVE)
            & (pl.col("incorporated") >= cohort_from)
            & (pl.col("incorporated") < start)
        )
        alive = cohort.filter(pl.col("number").is_in(register.survivors[(start, years)].implode()))
        survival.append(
            {
                "years": years,
                "available": True,
                "cohort_from": cohort_from.isoformat(),
                "cohort_to": (start - datetime.timedelta(days=1)).isoformat(),
                "measured_at": add_months(start, 12 * years).isoformat(),
                "cohort": cohort.height,
                "survivors": alive.height,
                "rate": _share(alive.height, cohort.height),
            }
        )

    mix = (  # grouped by SIC codes first, as the accounts category above
        tech.group_by(SIC_COLUMNS)
        .len()
        .group_by(subsector(table).alias("subsector"))
        .agg(pl.col("len").sum())
        .sort(["len", "subsector"], descending=[True, False])
    )
    subsectors = [
        {"subsector": r["subsector"], "count": r["len"], "share": _share(r["len"], tech.height)}
        for r in mix.iter_rows(named=True)
    ]
    counted = {}
    for category, count in by_accounts.items():
        band = SIZE_BANDS.get(category, "Other or not given")
        counted[band] = counted.get(band, 0) + count
    sizes = [
        {"band": b, "count": counted[b], "share": _share(counted[b], tech.height)}
        for b in SIZE_ORDER
        if counted.get(b)
    ]

    comparison = []
    for other in [area, *peers]:
        o_act = register.active_of(other)
        o_tech = int(o_act[f"in:{definition.slug}"].sum())
        o_share = _share(o_tech, o_act.height)
        comparison.append(
            {
                "slug": other.slug,
                "name": other.name,
                "active_all": o_act.height,
                "active_sector": o_tech,
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
        "registry_numbers": sorted(tech["number"].to_list()),
    }


def _per_year(dates):
    """{year: how many of the dates fall in it}."""
    return dict(pl.DataFrame({"d": dates}).group_by(pl.col("d").dt.year()).len().iter_rows())


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
    # The database is read here, in this thread; the workers only run Polars, which
    # releases the GIL, so two of them keep both cores busy on the small per-area frames.
    jobs = []
    for definition in definitions:
        table = definition.code_table()
        for area in areas:
            path = _cache_file(cache_key(area, definition, snapshots, recodes))
            jobs.append((path, area, definition, list(area.peers.all()), table))

    def run(job):
        path, area, definition, peers, table = job
        _write(path, compute(register, area, definition, peers, table))

    with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        for _ in pool.map(run, jobs):
            if progress:
                progress(1)
    return len(jobs)
