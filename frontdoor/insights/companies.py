"""Import a Companies House bulk file as a monthly snapshot (Parquet under DATA_DIR/insights/).

One streaming Polars pass parses the columns the figures need, checks each row, extracts the
SIC codes, locates the registered postcode and writes the snapshot to a temporary file. Bad
rows stay in that file, marked with their line and reason, so they can be reported; if there
are too many, the temporary file is deleted and nothing changes. Otherwise the new file gets
its own name (month and checksum), the database row is switched to it in one transaction, and
only then is the old file removed: a failed import at any step leaves the previous data intact,
and importing the same file twice gives the same snapshot.
"""

import csv
import datetime
import functools
import hashlib
import io
import operator
import os
import re
import shutil
import threading
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl
from django.db import transaction

from frontdoor.insights.companies_format import COLUMNS, KEPT
from frontdoor.insights.csvfiles import (
    DEFAULT_MAX_BAD_SHARE,
    first_unreadable_line,
    record_lines,
    say,
    work_folder,
)
from frontdoor.insights.geography import (
    insights_dir,
    locate_rows,
    postcode_key,
    source_description,
)
from frontdoor.insights.models import Snapshot

PART = re.compile(r"-part(\d+)_(\d+)\.(zip|csv)$", re.I)
MONTH = re.compile(r"(\d{4})-(\d{2})-\d{2}")
NUMBER = r"^[A-Z0-9]{8}$"


class ImportFailed(Exception):
    """The file cannot be imported; the message says why and where. Nothing was changed."""


@dataclass
class ImportResult:
    snapshot: Snapshot
    rows: int
    bad_rows: int
    located: int
    bad_examples: list = field(default_factory=list)
    report: Path | None = None
    unchanged: bool = False


def month_from_name(name):
    match = MONTH.search(Path(name).name)
    if not match:
        return None
    try:
        return datetime.date(int(match[1]), int(match[2]), 1)
    except ValueError:
        return None


def _sources(paths):
    """The files to read, in order; part files must be complete (all N of M)."""
    paths = [Path(p) for p in paths]
    if len(paths) == 1 and paths[0].is_dir():
        paths = sorted(
            p
            for p in paths[0].iterdir()
            if p.suffix.lower() in {".zip", ".csv"} and MONTH.search(p.name)
        )
        if not paths:
            raise ImportFailed("The folder holds no Companies House .zip or .csv file.")
    for path in paths:
        if not path.is_file():
            raise ImportFailed(f"{path} does not exist.")
    stems = [p.stem.lower() for p in paths]
    if twice := sorted({p.name for p in paths if stems.count(p.stem.lower()) > 1}):
        # Most often a zip and the CSV unzipped beside it: reading both would count every
        # company twice.
        raise ImportFailed(
            f"{', '.join(twice)}: the same file given twice (zipped and unzipped?). Give one."
        )
    parts = [PART.search(p.name) for p in paths]
    if any(parts):
        if not all(parts):
            raise ImportFailed("Give either the one-file download or its part files, not both.")
        totals = {int(m[2]) for m in parts}
        numbers = sorted(int(m[1]) for m in parts)
        if len(totals) != 1:
            raise ImportFailed(
                f"The part files disagree on how many parts there are "
                f"({' and '.join(map(str, sorted(totals)))}): they come from different downloads."
            )
        if numbers != list(range(1, totals.pop() + 1)):
            raise ImportFailed(
                f"Part files are incomplete: got parts {', '.join(map(str, numbers))} "
                f"of {parts[0][2]}. Give all of them."
            )
        paths = [p for _, p in sorted(zip((int(m[1]) for m in parts), paths, strict=True))]
    months = {month_from_name(p.name) for p in paths}
    if len(months) > 1:
        raise ImportFailed("The files are from different months.")
    return paths


def _extract(path, workdir, progress):
    """A zip's CSV copied to workdir (streamed, CRC checked); a CSV is used where it is.
    progress("unzip", bytes done, bytes in all), if given."""
    if not zipfile.is_zipfile(path):
        if path.suffix.lower() == ".zip":
            raise ImportFailed(f"{path.name} is not a complete zip file (truncated or damaged).")
        return path
    try:
        with zipfile.ZipFile(path) as archive:
            members = [i for i in archive.infolist() if i.filename.lower().endswith(".csv")]
            if len(members) != 1:
                raise ImportFailed(f"{path.name} should hold one CSV file, not {len(members)}.")
            # Named after the zip: part zips may hold members of the same name.
            target = workdir / f"{path.stem}.csv"
            with archive.open(members[0]) as src, open(target, "wb") as dst:
                while chunk := src.read(8 << 20):
                    dst.write(chunk)
                    if progress:
                        progress("unzip", dst.tell(), members[0].file_size)
            return target
    except (zipfile.BadZipFile, EOFError, zlib.error, OSError) as error:
        raise ImportFailed(
            f"{path.name} is truncated or damaged and could not be unzipped ({error})."
        ) from error
    except (RuntimeError, NotImplementedError) as error:  # encrypted, or an unknown method
        raise ImportFailed(f"{path.name} could not be unzipped: {error}.") from error


def _check_header(path, label):
    with open(path, "rb") as f:
        first = f.readline(1 << 16)
    try:
        text = first.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ImportFailed(f"{label}, line 1: the header is not valid UTF-8.") from error
    names = [n.strip() for n in next(csv.reader(io.StringIO(text)), [])]
    if names == COLUMNS:
        return
    if len(names) != len(COLUMNS):
        raise ImportFailed(
            f"{label}, line 1: wrong header: {len(names)} columns, expected the 55 columns of "
            "the Companies House Free Company Data Product (CompanyName, CompanyNumber, ...)."
        )
    position = next(i for i, (a, b) in enumerate(zip(names, COLUMNS, strict=True)) if a != b)
    raise ImportFailed(
        f"{label}, line 1: wrong header: column {position + 1} is “{names[position]}”, "
        f"expected “{COLUMNS[position]}”."
    )


def _bad_date(raw, parsed):
    """Given but not a dd/mm/yyyy date (an empty one is allowed). The parser alone would
    take "1/2/20" or "01/02/-2020": ten bytes that parse are dd/mm/yyyy."""
    size = pl.col(raw).str.len_bytes()
    return (pl.col(parsed).is_null() | (size != 10)) & (size > 0)


def sic_code(column):
    """A SIC field ("62012 - Business and ...") as its five-digit SIC 2007 code, a number
    (cheaper to store and test than text); null when there is none or it is not one."""
    return pl.col(column).str.head(5).str.to_integer(strict=False, dtype=pl.Int32)


def _frame(path, part, month):
    """The lazy pipeline for one CSV of the snapshot of `month`: parse, check, classify,
    locate.

    Every expression here runs on millions of rows, so each is the cheapest that does the
    job: literal matches rather than regular expressions where possible, short reason codes
    per row (the wording is added later, for the bad rows only).
    """
    frame = (
        pl.scan_csv(
            path,
            infer_schema=False,
            new_columns=COLUMNS,
            quote_char='"',
        )
        .select(*KEPT)
        .rename(KEPT)
        # Parsed in a step of their own: the checks below test the parsed columns, which
        # Polars would otherwise parse again for each test. Caching the parsed values pays
        # only where few are distinct (a mostly empty column).
        .with_columns(
            incorporated=pl.col("incorporated_raw").str.to_date(
                "%d/%m/%Y", strict=False, cache=False
            ),
            dissolved=pl.col("dissolved_raw").str.to_date("%d/%m/%Y", strict=False),
        )
    )
    bad_incorporated = _bad_date("incorporated_raw", "incorporated")
    bad_dissolved = _bad_date("dissolved_raw", "dissolved")
    incorporated, dissolved = pl.col("incorporated"), pl.col("dissolved")
    next_month = (month.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
    number = pl.col("number")
    bad_number = ~number.str.contains(NUMBER).fill_null(False)
    checks = [
        # A row that ends before the URI (column 33) lacks values the figures use; one that
        # lacks only later, unused fields is read whole.
        (pl.col("uri").is_null(), "short"),
        (~pl.col("uri").str.ends_with(number).fill_null(True), "shifted"),
        (bad_number, "number"),
        # Blank or only white space (cheaper than the pattern \S).
        ((pl.col("name").str.strip_chars_start().str.len_bytes() == 0).fill_null(True), "name"),
        (bad_incorporated, "incorporated"),
        (bad_dissolved, "dissolved"),
        # Comparisons of dates parsed above: cheap. An old date is no error (companies
        # incorporated in the 1850s are still on the register); null (no date) passes.
        (incorporated >= next_month, "incorporated_later"),
        (dissolved < incorporated, "dissolved_earlier"),
    ]
    postcode = pl.col("postcode_raw").str.replace_all(" ", "", literal=True)
    # Polars reads a blank line as a row of nulls: not a company, and not a bad row.
    blank = number.is_null() & pl.col("name").is_null() & pl.col("uri").is_null()
    return frame.with_columns(
        number=number,
        postcode=postcode_key(postcode),
        # A bit per failed check: a small number per row, worded later for bad rows only.
        # (Or-ing when/then bits costs a third less than summing cast booleans.)
        problem=pl.when(blank)
        .then(pl.lit(BLANK, pl.UInt16))
        .otherwise(
            functools.reduce(
                operator.or_,
                (
                    pl.when(check).then(pl.lit(1 << CODES.index(code), pl.UInt16)).otherwise(0)
                    for check, code in checks
                ),
            )
        ),
        # The raw text of a bad date, for the report (a bad number is the stored one).
        bad_incorporated=pl.when(bad_incorporated).then("incorporated_raw"),
        bad_dissolved=pl.when(bad_dissolved).then("dissolved_raw"),
        **{f"sic{i}": sic_code(f"sic_text_{i}") for i in range(1, 5)},
    ).select(
        "number",
        "name",
        "postcode",
        "incorporated",
        "dissolved",
        "accounts",
        *(f"sic{i}" for i in range(1, 5)),
        # The figures ask only whether a company is active ("Active", or "Active - Proposal
        # to Strike off"): a flag is cheaper to store than the status text, whose Parquet
        # dictionary is built row by row.
        active=pl.col("status").str.starts_with("Active"),
        # SIC1 given but not a five-digit code: in practice a legacy SIC 2003 code, which
        # classifies nothing; the figures say how many companies have only such codes.
        old_sic=pl.col("sic1").is_null()
        & (pl.col("sic_text_1").str.len_bytes() > 0)
        & (pl.col("sic_text_1") != "None Supplied"),
        problem=pl.when(pl.col("problem") > 0).then("problem"),
        bad_incorporated="bad_incorporated",
        bad_dissolved="bad_dissolved",
        # Which file of the parts: a byte per row rather than a copy of its name.
        part=pl.lit(part, dtype=pl.UInt8),
    )


REASONS = {
    "short": "ends early, before the URI (field 33 of 55)",
    "shifted": "values out of place (URI does not end with the CompanyNumber): a stray field?",
    "number": "CompanyNumber “{number}” is not 8 capital letters or digits",
    "name": "CompanyName is empty",
    "incorporated": "IncorporationDate “{bad_incorporated}” is not a dd/mm/yyyy date",
    "dissolved": "DissolutionDate “{bad_dissolved}” is not a dd/mm/yyyy date",
    "incorporated_later": "IncorporationDate “{incorporated}” is after the month of the file",
    "dissolved_earlier": "DissolutionDate “{dissolved}” is before the IncorporationDate "
    "“{incorporated}”",
}


CODES = list(REASONS)
# The checks whose failure leaves a row's company number in doubt.
NUMBER_UNSURE = sum(1 << CODES.index(code) for code in ("short", "shifted", "number"))
BLANK = 1 << len(CODES)  # a blank line, in place of the bits (the bits are a UInt16)
assert BLANK < 1 << 16  # fits the UInt16
# The values the reasons quote: the raw text of a date that did not parse, the text of a
# parsed one out of order.
BAD_ROW_COLUMNS = ["number", "bad_incorporated", "bad_dissolved", "incorporated", "dissolved"]
IS_BAD = pl.col("problem").is_not_null() & (pl.col("problem") != BLANK)


def describe(problem, values):
    """The reasons for a bad row, in words, from its bits (one per failed check) and the
    values quoted (`BAD_ROW_COLUMNS`)."""
    values = {k: v or "" for k, v in values.items()}
    return "; ".join(
        REASONS[code].format(**values) for i, code in enumerate(CODES) if problem & (1 << i)
    )


def _bytes_read():
    """Bytes this process has read so far (Linux), or None where that is not known."""
    try:
        with open("/proc/self/io") as f:
            return next(int(line.split()[1]) for line in f if line.startswith("rchar:"))
    except (OSError, StopIteration, ValueError):
        return None


class _HashedFile(io.RawIOBase):
    """A file being written that keeps the SHA-256 of what was written, so the snapshot need
    not be read again to be checksummed (Polars writes it in order, in large pieces)."""

    def __init__(self, file):
        self.file = file
        self.digest = hashlib.sha256()
        self.error = None

    def writable(self):
        return True

    def write(self, data):
        try:
            self.file.write(data)
        except OSError as error:  # Polars would report it as its own error: kept to raise
            self.error = error
            raise
        self.digest.update(data)
        return len(data)


def _sink(frame, path, size, progress):
    """Stream the pipeline into the snapshot file; returns its SHA-256."""
    with open(path, "wb") as file:
        target = _HashedFile(file)
        try:
            _run_with_progress(
                # Uncompressed: Parquet's own encodings already make it a ninth of the CSV;
                # Snappy or LZ4 would halve it but add a third to the write, the costliest
                # step after reading the CSV.
                lambda: frame.sink_parquet(target, compression="uncompressed", statistics=False),
                size,
                progress,
            )
        except pl.exceptions.PolarsError:
            if target.error:
                raise target.error from None
            raise
    return target.digest.hexdigest()


def _run_with_progress(work, size, progress):
    """Run `work`, which reads the CSV with Polars. Polars reads in order and says nothing
    while it works, so progress("read", bytes, size) follows the bytes this process has read,
    from this thread while Polars works on others."""
    start = _bytes_read() if progress else None
    if start is None:
        return work()
    failed = []

    def run():
        try:
            work()
        except Exception as error:  # raised again in the calling thread
            failed.append(error)

    worker = threading.Thread(target=run)
    worker.start()
    while worker.is_alive():
        worker.join(0.25)
        progress("read", min(_bytes_read() - start, size), size)
    if failed:
        raise failed[0]
    progress("read", size, size)


def companies_import(
    paths,
    *,
    month=None,
    max_bad_share=DEFAULT_MAX_BAD_SHARE,
    force=False,
    progress=None,
    stage=None,
):
    """Import a bulk file (one-file zip, part files or CSV) as the snapshot for its month.
    One with under half the rows of the month's snapshot already here (a file cut short at a
    line break reads as a good, smaller one) is refused unless `force`."""
    if isinstance(paths, str | Path):
        paths = [paths]
    sources = _sources(paths)
    month = month or month_from_name(sources[0].name)
    if month is None:
        raise ImportFailed(
            "Cannot tell the file's month from its name (…-YYYY-MM-01…); give --month YYYY-MM."
        )
    month = month.replace(day=1)
    folder = insights_dir()
    workdir = work_folder(folder, ".import-")
    tmp = workdir / "snapshot.parquet"
    try:
        try:
            say(stage, "Unzipping and checking headers")
            csvs = []
            for path in sources:
                csv_path = _extract(path, workdir, progress)
                _check_header(csv_path, path.name)
                csvs.append((csv_path, path.name))
            say(stage, "Parsing, checking, classifying and locating rows")
            frames = [_frame(p, part, month) for part, (p, _) in enumerate(csvs)]
            size = sum(p.stat().st_size for p, _ in csvs)
            try:
                checksum = _sink(pl.concat(frames), tmp, size, progress)
            except pl.exceptions.PolarsError as error:
                for p, label in csvs:
                    line, why = first_unreadable_line(p, len(COLUMNS))
                    if line:
                        raise ImportFailed(f"{label}, line {line}: {why}.") from error
                raise ImportFailed(f"The file could not be read as CSV: {error}") from error
            stored = pl.scan_parquet(tmp)
            counts = stored.select(
                rows=(pl.col("problem") != BLANK).fill_null(True).sum(), bad=IS_BAD.sum()
            ).collect()
            rows, bad = int(counts["rows"][0]), int(counts["bad"][0])
            if rows == 0:
                raise ImportFailed("The file has a header but no rows.")
            previous = Snapshot.objects.filter(month=month).first()
            if previous and not force and rows < previous.rows / 2:
                raise ImportFailed(
                    f"{rows:,} rows, under half the {previous.rows:,} of the {month:%B %Y} "
                    "snapshot already imported: a file cut short, or one part? Nothing was "
                    "changed; give --force to import it anyway."
                )
            bad_frame = _bad_rows(tmp, csvs, bad)
            examples = [
                f"{r['file']}, line {r['line']}: {describe(r['problem'], r)}"
                for r in bad_frame.head(10).iter_rows(named=True)
            ]
            if bad > max_bad_share * rows:
                listing = "\n  ".join(examples)
                raise ImportFailed(
                    f"{bad:,} of {rows:,} rows are bad (more than {max_bad_share:.2%}); nothing "
                    f"was changed. First bad rows:\n  {listing}"
                )
            say(stage, "Locating postcodes")
            # Each distinct postcode is looked up once; the snapshot keeps the result beside it.
            places, located = locate_rows(stored.filter(pl.col("problem").is_null()))
            places_tmp = workdir / "postcodes.parquet"
            places.write_parquet(places_tmp)
            report_tmp = workdir / "bad-rows.csv"
            _write_report(bad_frame, report_tmp)
            say(stage, "Storing the snapshot")
        except OSError as error:  # a disk full, say: nothing has been switched yet
            raise ImportFailed(f"A file could not be read or written: {error}.") from error
        files = {"snapshot": tmp, "postcodes": places_tmp, "report": report_tmp}
        return _switch(month, files, checksum, rows, bad, located, examples, sources)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def _bad_rows(tmp, csvs, count):
    """The stored snapshot's `count` bad rows: file, line, number, problem bits, values
    quoted. `csvs` are the (path, label) of the files read, in order."""
    stored = pl.scan_parquet(tmp, row_index_name="row")
    if not count:  # the usual case: an empty frame, without reading the file again
        stored = stored.head(0)
    # The snapshot keeps the files' row order, so a row's position gives its record in its
    # file; a row index in the CSV scan would have cost a sixth of the parse.
    parts = (
        stored.group_by("part")
        .len()
        .sort("part")
        .with_columns(start=pl.col("len").cum_sum() - pl.col("len"))
    )
    frame = (
        stored.filter(IS_BAD)
        .join(parts, on="part")
        .sort("row")
        .select(
            "part",
            "len",
            (pl.col("row") - pl.col("start")).alias("record"),
            "problem",
            *BAD_ROW_COLUMNS,
        )
        # As text, dd/mm/yyyy: a date may be out of Python's range (01/02/-2020 parses).
        .with_columns(pl.col("incorporated", "dissolved").dt.strftime("%d/%m/%Y"))
        .collect()
    )
    lines = []
    for (part, total), rows in frame.group_by("part", "len", maintain_order=True):
        found = record_lines(csvs[part][0], rows["record"].to_list(), total)
        lines.extend(found[r] for r in rows["record"])
    labels = {part: label for part, (_, label) in enumerate(csvs)}
    return frame.select(
        pl.col("part").replace_strict(labels, return_dtype=pl.String).alias("file"),
        pl.Series("line", lines, dtype=pl.UInt32),
        "problem",
        *BAD_ROW_COLUMNS,
    )


def _write_report(bad_frame, path):
    # Bad rows are few (under the limit), so wording them one by one is cheap.
    bad_frame.select(
        "file",
        "line",
        "number",
        reason=pl.struct("problem", *BAD_ROW_COLUMNS).map_elements(
            lambda r: describe(r["problem"], r), return_dtype=pl.String
        ),
    ).write_csv(path)


def _switch(month, files, checksum, rows, bad, located, examples, sources):
    """Point the month at the new files (written to a temporary folder so far)."""
    folder = insights_dir()
    name = f"companies-{month:%Y-%m}-{checksum[:12]}.parquet"
    places_name = name.replace(".parquet", ".postcodes.parquet")
    report = folder / f"companies-{month:%Y-%m}-bad-rows.csv"
    previous = Snapshot.objects.filter(month=month).first()
    if previous and previous.checksum == checksum and (folder / previous.filename).exists():
        # As stored: the postcodes were located then (a new lookup relocates every snapshot).
        kept = (previous.rows, previous.bad_rows, previous.located_rows)
        return ImportResult(previous, *kept, examples, report, unchanged=True)
    os.replace(files["postcodes"], folder / places_name)
    os.replace(files["snapshot"], folder / name)
    try:
        with transaction.atomic():
            snapshot, _ = Snapshot.objects.update_or_create(
                month=month,
                defaults={
                    "rows": rows,
                    "bad_rows": bad,
                    "located_rows": located,
                    "checksum": checksum,
                    "filename": name,
                    "source_name": ", ".join(p.name for p in sources)[:300],
                    "postcode_source": source_description()[:200],
                },
            )
    except Exception:
        (folder / name).unlink(missing_ok=True)
        (folder / places_name).unlink(missing_ok=True)
        raise
    os.replace(files["report"], report)
    if previous and previous.filename != name:
        (folder / previous.filename).unlink(missing_ok=True)
        (folder / previous.postcodes_filename).unlink(missing_ok=True)
    return ImportResult(snapshot, rows, bad, located, examples, report)
