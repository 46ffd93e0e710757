"""What the two importers (Companies House, postcode directory) share about CSV files: the
bad-row limit, their work folders, where a file Polars could not read stops being readable,
the line a record starts on, and telling the curator which stage a long import has reached."""

import csv
import shutil
import tempfile
import time
from pathlib import Path

DEFAULT_MAX_BAD_SHARE = 0.001


def work_folder(folder, prefix, stale_hours=24):
    """A new temporary folder for an import, in `folder`. Those an earlier import left behind
    when it was killed (an unzipped national file is gigabytes) go first; an import still
    running is minutes old."""
    cutoff = time.time() - stale_hours * 3600
    for old in folder.glob(f"{prefix}*"):
        if old.is_dir() and old.stat().st_mtime < cutoff:
            shutil.rmtree(old, ignore_errors=True)
    return Path(tempfile.mkdtemp(prefix=prefix, dir=folder))


def first_unreadable_line(path, columns):
    """Only on the error path: find where Polars gave up, for a message with a line number.
    `columns` is how many fields a row may have."""
    with open(path, "rb") as f:
        for line_number, raw in enumerate(f, start=1):
            try:
                raw.decode("utf-8")
            except UnicodeDecodeError as error:
                return line_number, f"not valid UTF-8 (byte {error.start + 1} of the line)"
    with open(path, encoding="utf-8-sig", newline="") as f:
        reader = csv.reader(f, strict=True)
        start = 1  # the line a record starts on: a quoted value may span lines
        while True:
            try:
                fields = next(reader)
            except StopIteration:
                break
            except csv.Error as error:
                if "end of data" in str(error):
                    return start, "ends inside a quoted value (is the file cut short?)"
                return start, f"not valid CSV ({error})"
            if len(fields) > columns:
                return start, f"{len(fields)} fields, more than {columns}"
            start = reader.line_num + 1
    return None, "unreadable CSV"


def record_lines(path, records, total):
    """Only for bad rows: {record: the line it starts on} for `records` (0-based, after the
    header) of a file of `total` records. While no quoted value spans lines, a record's line
    is its index plus 2, which counting the newlines confirms; otherwise the lines are walked,
    minding quotes, up to the last record asked for."""
    wanted = sorted(set(records))
    if not wanted:
        return {}
    newlines, last = 0, b""
    with open(path, "rb") as f:
        while chunk := f.read(8 << 20):
            newlines += chunk.count(b"\n")
            last = chunk[-1:]
    # A line break after the header and between records, and one at the end if the file
    # ends with one: any more are inside quoted values.
    if newlines == total + (last == b"\n"):
        return {r: r + 2 for r in wanted}
    found, pending = {}, iter(wanted)
    target = next(pending)
    record, inside = -2, False  # the header is record -1
    with open(path, "rb") as f:
        for number, line in enumerate(f, start=1):
            if not inside:
                record += 1
                if record == target:
                    found[record] = number
                    if (target := next(pending, None)) is None:
                        break
            if line.count(b'"') % 2:  # an escaped quote ("") counts twice: no change
                inside = not inside
    return found


def say(stage, text):
    """Report a stage of an import to the `stage` callback, when there is one."""
    if stage:
        stage(text)
