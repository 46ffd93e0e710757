"""Synthetic Companies House bulk files in the exact published format, for tests and benchmarks.

The header keeps its leading-space quirks, every value is double-quoted, dates are dd/mm/yyyy,
SIC fields read "62012 - Business and domestic software development", names are unique (as
on the register) and carry commas and quotes, and about 1% of postcodes are missing or
malformed. Packaging is a plain CSV, the one-file zip, or part files. Rows are built in
vectorised chunks (pseudo-random from hashes of the row number and the seed), so millions of
rows take seconds and the same seed gives the same file. Company numbers are `start + row`
based, so two files generated with overlapping ranges share companies (handy for survival
across snapshots).
"""

import datetime
import zipfile
from pathlib import Path

import polars as pl

from frontdoor.insights.companies_format import ACCOUNT_CATEGORIES, HEADER, RAW_COLUMNS
from frontdoor.insights.geography import postcode_table

SIC = {
    "62012": "Business and domestic software development",
    "62020": "Information technology consultancy activities",
    "62090": "Other information technology service activities",
    "62011": "Ready-made interactive leisure and entertainment software development",
    "63110": "Data processing, hosting and related activities",
    "63120": "Web portals",
    "58290": "Other software publishing",
    "61900": "Other telecommunications activities",
    "61100": "Wired telecommunications activities",
    "26110": "Manufacture of electronic components",
    "46510": "Wholesale of computers, computer peripheral equipment and software",
    "59111": "Motion picture production activities",
    "73110": "Advertising agencies",
    "74100": "specialised design activities",
    "71111": "Architectural activities",
    "72190": "Other research and experimental development on natural sciences and engineering",
    "90030": "Artistic creation",
    "68100": "Buying and selling of own real estate",
    "68209": "Other letting and operating of own or leased real estate",
    "70229": "Management consultancy activities other than financial management",
    "82990": "Other business support service activities n.e.c.",
    "96090": "Other service activities n.e.c.",
    "47910": "Retail sale via mail order houses or via Internet",
    "41100": "Development of building projects",
    "43999": "Other specialised construction activities n.e.c.",
    "56101": "Licensed restaurants",
    "86900": "Other human health activities",
    "64209": "Activities of other holding companies n.e.c.",
    "49410": "Freight transport by road",
    "85590": "Other education n.e.c.",
    "01110": "Growing of cereals (except rice), leguminous crops and oil seeds",
    "74990": "Non-trading company",
    "99999": "Dormant Company",
}
TECH = ["62012", "62020", "62090", "62011", "63110", "63120", "58290", "61900", "61100"]
# Other digital, creative or research codes: rarer than software, commoner than zero.
NICHE = ["26110", "46510", "59111", "73110", "74100", "71111", "72190", "90030"]
OTHER = [c for c in SIC if c not in TECH and c not in NICHE]
WORDS = (
    "ACORN ALPHA APEX ATLAS BEACON BRIGHT CEDAR CITY COPPER CREST DELTA EAGLE FALCON GRID HARBOUR "
    "KESTREL LUMEN MERIDIAN NIMBUS OAK ORBIT PIXEL PRISM QUANTUM RELAY SIGNAL SPARK SUMMIT TENSOR "
    "VECTOR WILLOW"
).split()
ALPHABET = [chr(c) for c in range(ord("A"), ord("Z") + 1)]
SUFFIX = ["LIMITED", "LTD", "LLP", "HOLDINGS LIMITED", "SERVICES LTD", "CONSULTING LIMITED"]
STATUSES = ["Active"] * 92 + ["Active - Proposal to Strike off"] * 4 + ["Liquidation"] * 2
STATUSES += ["In Administration", "Voluntary Arrangement"]
CATEGORIES = ["Private Limited Company"] * 90 + [
    "PRI/LTD BY GUAR/NSC (Private, limited by guarantee, no share capital)"
] * 5
CATEGORIES += ["Limited Liability Partnership"] * 3 + ["Public Limited Company"] * 2
TOWNS = ["MILTON KEYNES", "BIRMINGHAM", "MANCHESTER", "LEEDS", "LONDON", "SHEFFIELD", "BRISTOL"]


def _pick(values, h):
    return pl.Series(values).gather((h % len(values)).cast(pl.UInt32))


def _letters(n, length=5):
    """n written in letters (base 26, shuffled by a factor prime to 26): a name part that
    no other of the first 26**length companies shares."""
    n = n * 7919 % 26**length
    parts = [_pick(ALPHABET, n // 26**k) for k in reversed(range(length))]
    return sum(parts[1:], parts[0])


def _date_text(dates):
    return dates.dt.strftime("%d/%m/%Y")


def _chunk(start, size, seed, month, postcodes):
    index = pl.int_range(start, start + size, eager=True, dtype=pl.UInt64)

    def rand(k):
        return (index + k * 1_000_003).hash(seed)

    n = index + 1
    plain = n.cast(pl.String).str.zfill(8)
    prefixed = (n // 20).cast(pl.String).str.zfill(6)
    number = (
        pl.DataFrame({"n": n, "plain": plain, "p": prefixed})
        .select(
            pl.when(pl.col("n") % 20 == 0)
            .then("SC" + pl.col("p"))
            .when(pl.col("n") % 20 == 1)
            .then("OC" + pl.col("p"))
            .when(pl.col("n") % 20 == 2)
            .then("NI" + pl.col("p"))
            .otherwise(pl.col("plain"))
        )
        .to_series()
    )
    r = rand(1)
    # Names are unique on the register, as real ones must be.
    name = _pick(WORDS, rand(2)) + " " + _letters(index) + " " + _pick(SUFFIX, rand(4))
    frame = pl.DataFrame({"name": name, "number": number, "r": r, "pc": _pick(postcodes, rand(5))})
    days = (month - datetime.date(1980, 1, 1)).days
    u = (rand(6) % 1_000_000).cast(pl.Float64) / 1_000_000
    # Skewed towards recent years, as the live register is.
    incorporated = pl.lit(month) - pl.duration(days=(u**3 * days).cast(pl.Int64) + 1)
    sic = []
    for i, share in enumerate((100, 22, 6, 2), start=1):
        h = rand(10 + i)
        code = (
            pl.when(h % 100 < 12)
            .then(_pick(TECH, rand(20 + i)))
            .otherwise(_pick(OTHER, rand(30 + i)))
        )
        text = code + " - " + code.replace_strict(SIC, return_dtype=pl.String)
        if i == 1:
            text = (
                pl.when(h % 100 == 99)
                .then(pl.lit("None Supplied"))
                .when(h % 200 == 1)
                .then(pl.lit("7222 - Other software consultancy and supply"))
                .otherwise(text)
            )
        sic.append(pl.when(rand(40 + i) % 100 < share).then(text).otherwise(pl.lit("")))
    postcode = (
        pl.when(pl.col("r") % 100 == 0)
        .then(pl.lit(""))
        .when(pl.col("r") % 300 == 1)
        .then(pl.col("pc").str.slice(0, 3))
        .when(pl.col("r") % 7 == 3)
        .then(pl.col("pc").str.to_lowercase().str.replace(" ", ""))
        .otherwise(pl.col("pc"))
    )
    empty = pl.lit("")
    due = _date_text(pl.lit(month) + pl.duration(days=(pl.col("r") % 300).cast(pl.Int64)))
    made_up = _date_text(pl.lit(month) - pl.duration(days=(pl.col("r") % 360).cast(pl.Int64) + 5))
    quirky = (
        pl.when(pl.col("r") % 50 == 7)
        .then(pl.col("name").str.replace(" ", ", ") + pl.lit(" & CO"))
        .when(pl.col("r") % 211 == 5)
        .then(pl.lit('THE "') + pl.col("name") + pl.lit('"'))
        .otherwise(pl.col("name"))
    )
    values = {
        "CompanyName": quirky,
        "CompanyNumber": pl.col("number"),
        "RegAddress.CareOf": empty,
        "RegAddress.POBox": empty,
        "RegAddress.AddressLine1": (pl.col("r") % 200 + 1).cast(pl.String) + " HIGH STREET",
        "RegAddress.AddressLine2": pl.when(pl.col("r") % 3 == 0)
        .then(pl.lit("UNIT 4, THE COURTYARD"))
        .otherwise(empty),
        "RegAddress.PostTown": _pick(TOWNS, rand(7)),
        "RegAddress.County": empty,
        "RegAddress.Country": pl.lit("UNITED KINGDOM"),
        "RegAddress.PostCode": postcode,
        "CompanyCategory": _pick(CATEGORIES, rand(8)),
        "CompanyStatus": _pick(STATUSES, rand(9)),
        "CountryOfOrigin": pl.lit("United Kingdom"),
        "DissolutionDate": empty,
        "IncorporationDate": _date_text(incorporated),
        "Accounts.AccountRefDay": (pl.col("r") % 28 + 1).cast(pl.String),
        "Accounts.AccountRefMonth": (pl.col("r") % 12 + 1).cast(pl.String),
        "Accounts.NextDueDate": due,
        "Accounts.LastMadeUpDate": made_up,
        "Accounts.AccountCategory": _pick(ACCOUNT_CATEGORIES[:9], rand(50)),
        "Returns.NextDueDate": empty,
        "Returns.LastMadeUpDate": empty,
        "Mortgages.NumMortCharges": pl.lit("0"),
        "Mortgages.NumMortOutstanding": pl.lit("0"),
        "Mortgages.NumMortPartSatisfied": pl.lit("0"),
        "Mortgages.NumMortSatisfied": pl.lit("0"),
        "SICCode.SicText_1": sic[0],
        "SICCode.SicText_2": sic[1],
        "SICCode.SicText_3": sic[2],
        "SICCode.SicText_4": sic[3],
        "LimitedPartnerships.NumGenPartners": pl.lit("0"),
        "LimitedPartnerships.NumLimPartners": pl.lit("0"),
        "URI": "http://business.data.gov.uk/id/company/" + pl.col("number"),
    }
    for i in range(1, 11):
        renamed = (pl.col("r") % 20 == 0) if i == 1 else pl.lit(False)
        values[f"PreviousName_{i}.CONDATE"] = pl.when(renamed).then(made_up).otherwise(empty)
        values[f"PreviousName_{i}.CompanyName"] = (
            pl.when(renamed).then(pl.lit("OLD ") + pl.col("name")).otherwise(empty)
        )
    values["ConfStmtNextDueDate"] = due
    values["ConfStmtLastMadeUpDate"] = made_up
    # Column names as published (leading spaces kept); every value is a string.
    return frame.select(**{raw: values[raw.strip()].cast(pl.String) for raw in RAW_COLUMNS})


def sample_postcodes(seed, size=200_000):
    """Real postcodes in display form ("MK9 3HS"), so generated companies can be located."""
    table = postcode_table().select("postcode").collect()
    picked = table.sample(min(size, table.height), seed=seed)["postcode"]
    return (picked.str.head(-3) + " " + picked.str.tail(3)).sort()


def write_csv(path, rows, *, month, seed=0, start=0, chunk=250_000, postcodes=None, progress=None):
    """Write one CSV in the published format; returns the path."""
    postcodes = sample_postcodes(seed) if postcodes is None else postcodes
    with open(path, "wb") as out:
        out.write((HEADER + "\n").encode())
        for offset in range(0, rows, chunk):
            size = min(chunk, rows - offset)
            _chunk(start + offset, size, seed, month, postcodes).write_csv(
                out, include_header=False, quote_style="always"
            )
            if progress:
                progress(size)
    return Path(path)


def companies_generate(
    directory, rows, *, month, packaging="csv", parts=1, seed=0, start=0, progress=None
):
    """Write a synthetic bulk file (csv, zip or parts) into `directory`; returns its paths."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    stamp = f"{month:%Y-%m}-01"
    postcodes = sample_postcodes(seed)
    if packaging == "csv":
        path = directory / f"BasicCompanyDataAsOneFile-{stamp}.csv"
        return [
            write_csv(
                path,
                rows,
                month=month,
                seed=seed,
                start=start,
                postcodes=postcodes,
                progress=progress,
            )
        ]
    if packaging == "zip":
        names = [f"BasicCompanyDataAsOneFile-{stamp}"]
    else:
        names = [f"BasicCompanyData-{stamp}-part{i}_{parts}" for i in range(1, parts + 1)]
    per_part = -(-rows // len(names))
    paths = []
    for i, name in enumerate(names):
        csv_path = directory / f"{name}.csv"
        size = min(per_part, rows - i * per_part)
        write_csv(
            csv_path,
            size,
            month=month,
            seed=seed,
            start=start + i * per_part,
            postcodes=postcodes,
            progress=progress,
        )
        zip_path = directory / f"{name}.zip"
        with zipfile.ZipFile(zip_path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            archive.write(csv_path, csv_path.name)
        csv_path.unlink()
        paths.append(zip_path)
    return paths
