"""Importing a postcode directory file (any recent ONSPD or NSPL release, as its zip, a CSV
or the unzipped folder): columns found by pattern, because their names change between
releases; every row checked; the lookup replaced only by a file that passes."""

import csv
import io
import json
import re
import shutil
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from frontdoor.insights.csvfiles import (
    DEFAULT_MAX_BAD_SHARE,
    first_unreadable_line,
    say,
    work_folder,
)
from frontdoor.insights.geography import (
    compact,
    imported_path,
    insights_dir,
    keyed,
    postcode_key,
    postcode_table,
    source_description,
    write_atomic,
)

# ONSPD/NSPL column names across releases (lower-cased).
POSTCODE_COLUMNS = ("pcds", "pcd", "pcd7", "pcd8", "pcd2")
LAD_COLUMN = re.compile(r"^(oslaua|laua|lad\d{2}cd)$")
TERMINATED_COLUMN = "doterm"


class PostcodeImportError(Exception):
    """A postcode directory file that cannot be used, with the reason."""


# In an ONSPD or NSPL zip: the UK-wide file, and the same rows split by postcode area.
UK_FILE = re.compile(r"(ONSPD|NSPL)[^/]*_UK\.csv$", re.I)
AREA_FILE = re.compile(r"(ONSPD|NSPL)[^/]*_UK_[A-Z]{1,2}\.csv$", re.I)
CODE = r"^[EWSNLM][0-9]{8}$"  # L and M: the pseudo codes of the Channel Islands and Man

REASONS = {
    "fields": "{fields} fields where the header has {columns}",
    "postcode": "postcode “{raw}” is not a postcode",
    "code": "local authority code “{lad}” is not an ONS code such as E06000042",
    "terminated": "date of termination “{terminated}” is not yyyymm: values out of place?",
}


@dataclass
class PostcodeImportResult:
    postcodes: int
    rows: int
    bad_rows: int
    without_code: int
    bad_examples: list = field(default_factory=list)


def _chosen(names, label):
    """Which of a zip's or folder's files hold the directory: the UK-wide CSV, else every
    per-area CSV (Data/multi_csv/ONSPD_..._UK_AB.csv ...), else a sole CSV. Any single
    per-area file would replace the UK lookup with one postcode area."""
    csvs = sorted(n for n in names if n.lower().endswith(".csv"))
    if uk := [n for n in csvs if UK_FILE.search(n)]:
        if len(uk) > 1:
            raise PostcodeImportError(f"{label} holds {len(uk)} UK-wide files: {', '.join(uk)}.")
        return uk
    if areas := [n for n in csvs if AREA_FILE.search(n)]:
        return areas
    if len(csvs) > 1:
        raise PostcodeImportError(
            f"{label} holds {len(csvs)} CSV files and none is named like "
            "ONSPD_NOV_2025_UK.csv: give the one to use."
        )
    return csvs


def _csv_files(path, workdir):
    """The directory's CSV files as (file, label) pairs; a zip's are extracted to workdir."""
    if path.is_dir():
        found = sorted(p for p in path.rglob("*") if p.is_file())
        names = [p.relative_to(path).as_posix() for p in found]
        if chosen := _chosen(names, path.name):
            return [(path / name, name) for name in chosen]
        zips = [p for p in found if p.suffix.lower() == ".zip"]
        if len(zips) != 1:
            raise PostcodeImportError(
                f"{path.name} holds no ONSPD or NSPL CSV file and {len(zips)} zip files "
                "(one is needed)."
            )
        path = zips[0]
    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as archive:
            chosen = _chosen(archive.namelist(), path.name)
            if not chosen:
                raise PostcodeImportError(f"{path.name} holds no CSV file.")
            files = []
            for number, name in enumerate(chosen):
                target = workdir / f"{number}.csv"
                with archive.open(name) as src, open(target, "wb") as dst:
                    shutil.copyfileobj(src, dst, 1 << 20)
                files.append((target, name))
            return files
    if path.suffix.lower() == ".zip":
        raise PostcodeImportError(f"{path.name} is not a complete zip file (truncated or damaged).")
    if path.suffix.lower() != ".csv":
        raise PostcodeImportError(
            f"{path.name} is not a CSV or zip file: give the ONSPD or NSPL zip, a CSV from its "
            "Data folder, or the folder it was unzipped to."
        )
    return [(path, path.name)]


def _columns(csv_path, label):
    """The header, and the names of its postcode, district and termination date columns."""
    with open(csv_path, "rb") as f:
        first = f.readline(1 << 16)
    try:
        header = next(csv.reader(io.StringIO(first.decode("utf-8-sig"))), [])
    except UnicodeDecodeError as error:
        raise PostcodeImportError(f"{label} is not a CSV file (line 1 is not text).") from error
    names = {name.strip().lower(): name for name in header}
    postcode = next((names[c] for c in POSTCODE_COLUMNS if c in names), None)
    lad = next((names[c] for c in sorted(names) if LAD_COLUMN.match(c)), None)
    if not postcode or not lad:
        raise PostcodeImportError(
            f"{label}: no postcode column (one of {', '.join(POSTCODE_COLUMNS)}) or no "
            "local authority column (oslaua, laua, ladNNcd) in the header."
        )
    return header, postcode, lad, names.get(TERMINATED_COLUMN)


def _checked(csv_path, label):
    """A file's rows: line, postcode, code, live, and the first check each failed (or null)."""
    header, postcode, lad, terminated = _columns(csv_path, label)
    values = pl.scan_csv(
        csv_path,
        infer_schema=False,
        encoding="utf8-lossy",
        # A row with more fields than the header is reported below, not an error here.
        truncate_ragged_lines=True,
        row_index_name="row",
    ).select(
        "row",
        raw=pl.col(postcode),
        lad=pl.col(lad).str.strip_chars(),
        terminated=pl.col(terminated).str.strip_chars() if terminated else pl.lit(None, pl.String),
    )
    # Polars fills a short row's missing fields as if they were empty, so the fields are
    # counted on the raw lines, each a row of a scan without quotes and a single column.
    lines = (
        _raw_lines(csv_path)
        .filter(pl.col("row") > 0)
        .select(row=pl.col("row") - 1, fields=_fields(len(header)), blank=pl.col("text").is_null())
    )
    key = postcode_key(compact(pl.col("raw")))
    # Collected apart: in one plan, Polars takes the two scans of the file for the same one.
    values, lines = values.collect(engine="streaming"), lines.collect(engine="streaming")
    line = pl.col("row") + 2  # the header is line 1
    if lines.height != values.height:
        # More lines than records: a quoted value spans lines, so lines and records differ.
        lines, line = _records(csv_path, len(header)), pl.col("line")
    return values.join(lines, on="row", how="left").select(
        file=pl.lit(label),
        line=line,
        raw="raw",
        lad="lad",
        terminated="terminated",
        fields="fields",
        columns=pl.lit(len(header)),
        blank="blank",
        postcode=compact(pl.col("raw")),
        # Live postcodes first, so a recycled postcode resolves to its current area.
        live=pl.col("terminated").fill_null("") == "",
        problem=pl.when(pl.col("blank"))
        .then(None)
        .when(pl.col("fields") != len(header))
        .then(pl.lit("fields"))
        .when(key.is_null())
        .then(pl.lit("postcode"))
        # An empty code is not an error: ONSPD leaves it blank for some postcodes.
        .when(pl.col("lad").fill_null("").str.contains(CODE).not_() & (pl.col("lad") != ""))
        .then(pl.lit("code"))
        .when(pl.col("terminated").fill_null("").str.contains(r"^([0-9]{6})?$").not_())
        .then(pl.lit("terminated")),
    )


def _raw_lines(csv_path):
    """The file's physical lines in `text` (null for an empty one), numbered from 0 (the
    header) in `row`."""
    return pl.scan_csv(
        csv_path,
        has_header=False,
        separator="\x1f",
        quote_char=None,
        new_columns=["text"],
        infer_schema=False,
        encoding="utf8-lossy",
        truncate_ragged_lines=True,
        row_index_name="row",
    )


def _fields(columns):
    """How many fields a record's `text` holds. Counting commas is cheap; only a record with
    another count is counted again without its quoted values, which may hold commas."""
    text = pl.col("text")
    commas = text.str.count_matches(",", literal=True)
    unquoted = text.str.replace_all(r'"[^"]*"', "").str.count_matches(",", literal=True)
    return pl.when(commas == columns - 1).then(commas).otherwise(unquoted) + 1


def _records(csv_path, columns):
    """Only when a quoted value spans lines: each record's line, field count and blankness.
    A line starts a record unless the quotes before it are odd in number (an escaped quote,
    "", counts twice: no change); the few records over several lines are joined again to be
    counted."""
    quotes = pl.col("text").str.count_matches('"', literal=True).fill_null(0).cast(pl.Int64)
    lines = (
        _raw_lines(csv_path)
        .with_columns(start=(quotes.cum_sum() - quotes) % 2 == 0)
        .with_columns(record=pl.col("start").cast(pl.Int64).cum_sum() - 2)  # header: -1
        .filter(pl.col("record") >= 0)
    )
    spans = ~pl.col("start") | ~pl.col("start").shift(-1, fill_value=True)
    row = pl.col("record").cast(pl.get_index_type()).alias("row")
    one_line = lines.filter(~spans).select(
        row, line=pl.col("row") + 1, fields=_fields(columns), blank=pl.col("text").is_null()
    )
    over_lines = (
        lines.filter(spans)
        .group_by("record")
        .agg(line=pl.col("row").first() + 1, text=pl.col("text").fill_null("").str.join("\n"))
        .select(row, line="line", fields=_fields(columns), blank=pl.lit(False))
    )
    return pl.concat([one_line, over_lines]).collect(engine="streaming")


def _rows(files):
    """Every file's checked rows; a file Polars cannot parse is refused with its line."""
    frames = []
    for csv_path, label in files:
        try:
            frames.append(_checked(csv_path, label))
        except pl.exceptions.PolarsError as error:
            line, why = first_unreadable_line(csv_path, len(_columns(csv_path, label)[0]))
            where = f", line {line}" if line else ""
            raise PostcodeImportError(f"{label}{where}: {why}.") from error
    return pl.concat(frames)


def _current_size():
    """How many postcodes the lookup in use has (the offline one is built if need be)."""
    return postcode_table().select(pl.len()).collect().item()


def postcodes_import(path, *, max_bad_share=DEFAULT_MAX_BAD_SHARE, force=False, stage=None):
    """Replace the lookup with an ONSPD or NSPL CSV, a zip holding one, or the folder it was
    unzipped to. A file with too many bad rows, or (unless `force`) with under half the
    postcodes of the lookup in use, is refused and the lookup stays as it was."""
    path = Path(path)
    if not path.exists():
        raise PostcodeImportError(f"{path} does not exist.")
    workdir = work_folder(insights_dir(), ".postcodes-")
    try:
        say(stage, "Finding the postcode files (unzipping if need be)")
        files = _csv_files(path, workdir)
        say(stage, f"Checking every row of {len(files)} file{'s' if len(files) > 1 else ''}")
        rows = _rows(files).filter(~pl.col("blank").fill_null(False))
        bad = rows.filter(pl.col("problem").is_not_null())
        examples = [
            f"{r['file']}, line {r['line']}: {REASONS[r['problem']].format(**r)}"
            for r in bad.head(10).iter_rows(named=True)
        ]
        if rows.height == 0:
            raise PostcodeImportError(f"{path.name}: the file has a header but no rows.")
        if bad.height > max_bad_share * rows.height:
            listing = "\n  ".join(examples)
            raise PostcodeImportError(
                f"{path.name}: {bad.height:,} of {rows.height:,} rows are bad (more than "
                f"{max_bad_share:.2%}); the postcode lookup was not changed. First bad rows:"
                f"\n  {listing}"
            )
        coded = rows.filter(pl.col("problem").is_null() & (pl.col("lad").fill_null("") != ""))
        table = keyed(
            coded.sort("live", descending=True)
            .unique("postcode", keep="first", maintain_order=True)
            .select("postcode", "lad")
        )
        if table.height == 0:
            raise PostcodeImportError(f"{path.name}: no postcode had a local authority code.")
        current = _current_size()
        if not force and table.height < current / 2:
            raise PostcodeImportError(
                f"{path.name} has {table.height:,} postcodes, under half the {current:,} of the "
                f"lookup in use ({source_description()}): one area, or part of a file? The "
                "lookup was not changed; give --force to use it anyway."
            )
        say(stage, "Storing the lookup")
        write_atomic(table, imported_path())
        columns = _columns(*files[0])
        what = f"{len(files)} area files, " if len(files) > 1 else ""
        (insights_dir() / "postcodes-imported.json").write_text(
            json.dumps(
                {
                    "source": f"{path.name} ({what}columns {columns[1]}, {columns[2]})",
                    "rows": table.height,
                }
            )
        )
        return PostcodeImportResult(
            postcodes=table.height,
            rows=rows.height,
            bad_rows=bad.height,
            without_code=rows.height - bad.height - coded.height,
            bad_examples=examples,
        )
    except (zipfile.BadZipFile, EOFError, zlib.error, OSError, pl.exceptions.PolarsError) as error:
        raise PostcodeImportError(f"{path.name} could not be read: {error}") from error
    except (RuntimeError, NotImplementedError) as error:  # an encrypted zip, or its method
        raise PostcodeImportError(f"{path.name} could not be unzipped: {error}.") from error
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
