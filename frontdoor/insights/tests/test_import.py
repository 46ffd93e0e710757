"""The Companies House import: packaging, header, bad rows, atomicity, idempotence."""

import csv
import datetime
import os
import resource
import time
import zipfile

import polars as pl
import pytest

from frontdoor.insights.companies import ImportFailed, companies_import
from frontdoor.insights.companies_format import COLUMNS, HEADER
from frontdoor.insights.figures import figures_for, on_register
from frontdoor.insights.generate import companies_generate
from frontdoor.insights.models import Area, SectorDefinition, Snapshot

from .conftest import SOFTWARE, row, snapshot_2024, write_csv

pytestmark = pytest.mark.django_db


@pytest.fixture
def first(data_dir):
    """A good import for November 2024, which every failure below must leave alone."""
    path = write_csv(data_dir / "BasicCompanyDataAsOneFile-2024-11-01.csv", snapshot_2024())
    companies_import(path)
    snapshot = Snapshot.objects.get()
    return snapshot, (data_dir / "insights" / snapshot.filename).read_bytes()


def assert_intact(first, data_dir):
    snapshot, content = first
    now = Snapshot.objects.get()
    assert (now.checksum, now.rows, now.filename) == (
        snapshot.checksum,
        snapshot.rows,
        snapshot.filename,
    )
    assert (data_dir / "insights" / now.filename).read_bytes() == content
    leftovers = [p.name for p in (data_dir / "insights").iterdir() if p.name.startswith(".")]
    assert leftovers == []


def again(data_dir, rows, name="BasicCompanyDataAsOneFile-2024-11-01.csv", **kwargs):
    return write_csv(data_dir / "again" / name, rows, **kwargs)


@pytest.fixture(autouse=True)
def again_dir(data_dir):
    (data_dir / "again").mkdir()


def test_a_wrong_header_is_refused(first, data_dir):
    header = HEADER.replace(" CompanyNumber", "CompanyNo")
    with pytest.raises(ImportFailed, match="line 1: wrong header: column 2 is “CompanyNo”"):
        companies_import(again(data_dir, snapshot_2024(), header=header))
    with pytest.raises(ImportFailed, match="54 columns"):
        companies_import(again(data_dir, snapshot_2024(), header=HEADER.rsplit(",", 1)[0]))
    assert_intact(first, data_dir)


def test_bad_dates_are_reported_with_line_numbers_and_refused(first, data_dir):
    rows = snapshot_2024()
    rows[2] = row(number="00000003", incorporated="31/02/2020")
    rows[5] = row(number="00000006", incorporated="2020-02-01", dissolved="yesterday")
    with pytest.raises(ImportFailed) as caught:
        companies_import(again(data_dir, rows))
    message = str(caught.value)
    assert "2 of 9 rows are bad" in message and "nothing was changed" in message
    assert "line 4: IncorporationDate “31/02/2020” is not a dd/mm/yyyy date" in message
    assert "line 7: IncorporationDate “2020-02-01” is not a dd/mm/yyyy date" in message
    assert "DissolutionDate" in message
    assert_intact(first, data_dir)


def test_a_few_bad_rows_are_kept_out_and_listed_in_the_report(first, data_dir):
    rows = snapshot_2024() + [row(number="123", sic1=SOFTWARE), row(number="00000099", name=" ")]
    result = companies_import(again(data_dir, rows), max_bad_share=0.5)
    assert (result.rows, result.bad_rows) == (11, 2)
    with open(result.report, newline="") as f:
        report = list(csv.DictReader(f))
    assert [(r["line"], r["reason"]) for r in report] == [
        ("11", "CompanyNumber “123” is not 8 capital letters or digits"),
        ("12", "CompanyName is empty"),
    ]
    # Bad rows never reach the figures.
    fig = figures_for(
        Area.objects.get(slug="milton-keynes"),
        SectorDefinition.objects.get(slug="dcms-digital-2016"),
    )
    assert fig["headline"]["uk_active_all"] == 8  # as without the two bad rows


def test_invalid_utf8_is_refused_with_its_line(first, data_dir):
    path = again(data_dir, snapshot_2024())
    lines = path.read_bytes().split(b"\n")
    lines[3] = lines[3].replace(b"COMPANY", b"COMP\xff\xfeANY", 1)
    path.write_bytes(b"\n".join(lines))
    with pytest.raises(ImportFailed, match="line 4: not valid UTF-8"):
        companies_import(path)
    assert_intact(first, data_dir)


def test_a_latin1_header_is_refused(first, data_dir):
    path = again(data_dir, snapshot_2024())
    path.write_bytes(b"\xa3" + path.read_bytes())
    with pytest.raises(ImportFailed, match="line 1: the header is not valid UTF-8"):
        companies_import(path)
    assert_intact(first, data_dir)


def test_a_truncated_zip_is_refused(first, data_dir):
    csv_path = again(data_dir, snapshot_2024() * 50)
    zip_path = data_dir / "again" / "BasicCompanyDataAsOneFile-2024-11-01.zip"
    with zipfile.ZipFile(zip_path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.write(csv_path, csv_path.name)
    data = zip_path.read_bytes()
    zip_path.write_bytes(data[: len(data) // 2])
    with pytest.raises(ImportFailed, match="truncated or damaged"):
        companies_import(zip_path)
    # Damaged in the middle: the central directory is intact but the data is not.
    broken = bytearray(data)
    broken[60:90] = b"\x00" * 30
    zip_path.write_bytes(bytes(broken))
    with pytest.raises(ImportFailed, match="truncated or damaged"):
        companies_import(zip_path)
    assert_intact(first, data_dir)


def test_a_row_with_a_stray_field_is_a_bad_row(first, data_dir):
    rows = snapshot_2024()
    rows[4] = rows[4].replace('"Private Limited Company"', '"Private Limited Company","X"')
    with pytest.raises(ImportFailed, match="line 6: values out of place"):
        companies_import(again(data_dir, rows))
    assert_intact(first, data_dir)


def test_a_short_row_is_a_bad_row(data_dir):
    short = ",".join(f'"{v}"' for v in ["SHORT LTD", "00000077", "", ""])
    result = companies_import(
        write_csv(data_dir / "x-2024-11-01.csv", snapshot_2024() + [short]), max_bad_share=0.5
    )
    assert result.bad_examples == [
        "x-2024-11-01.csv, line 11: ends early, before the URI (field 33 of 55)"
    ]


def test_importing_the_same_file_twice_changes_nothing(first, data_dir):
    snapshot, _ = first
    result = companies_import(again(data_dir, snapshot_2024()))
    assert result.unchanged
    assert_intact(first, data_dir)


def test_a_new_file_for_the_month_replaces_the_old_one(first, data_dir):
    snapshot, _ = first
    result = companies_import(again(data_dir, snapshot_2024()[:5]))
    assert not result.unchanged and Snapshot.objects.get().rows == 5
    files = sorted(p.name for p in (data_dir / "insights").glob("companies-2024-11-*.parquet"))
    assert snapshot.filename not in files and len(files) == 2  # the snapshot and its postcodes


def test_the_month_comes_from_the_name_or_the_option(data_dir):
    path = write_csv(data_dir / "companies.csv", snapshot_2024())
    with pytest.raises(ImportFailed, match="give --month"):
        companies_import(path)
    companies_import(path, month=datetime.date(2024, 10, 1))
    assert Snapshot.objects.get().month == datetime.date(2024, 10, 1)


def test_one_file_zip_part_files_and_csv_give_the_same_snapshot(data_dir):
    month = datetime.date(2025, 3, 1)
    kinds = {}
    for packaging in ("csv", "zip", "parts"):
        paths = companies_generate(
            data_dir / packaging, 3000, month=month, packaging=packaging, parts=3, seed=5
        )
        result = companies_import(paths)
        stored = pl.read_parquet(data_dir / "insights" / result.snapshot.filename)
        kinds[packaging] = stored.drop("part").sort("number")
    assert kinds["csv"].equals(kinds["zip"]) and kinds["csv"].equals(kinds["parts"])
    assert kinds["csv"].height == 3000


def test_part_files_must_all_be_there(data_dir):
    paths = companies_generate(
        data_dir / "p", 900, month=datetime.date(2025, 3, 1), packaging="parts", parts=3
    )
    with pytest.raises(ImportFailed, match="got parts 1, 3 of 3"):
        companies_import([paths[0], paths[2]])
    # Giving the folder finds every part.
    assert companies_import([data_dir / "p"]).rows == 900


def test_the_generator_writes_the_published_format(data_dir):
    (path,) = companies_generate(data_dir / "g", 2000, month=datetime.date(2025, 11, 1), seed=1)
    assert path.name == "BasicCompanyDataAsOneFile-2025-11-01.csv"
    text = path.read_text(encoding="utf-8")
    header, first_row = text.split("\n")[:2]
    assert header == HEADER and header.count(", ") == 14
    assert first_row.startswith('"') and first_row.endswith('"')
    with open(path, newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))[1:]
    assert len(rows) == 2000 and {len(r) for r in rows} == {55}
    data = {name: [r[i] for r in rows] for i, name in enumerate(COLUMNS)}
    assert all(len(n) == 8 for n in data["CompanyNumber"])
    assert any(n.startswith("SC") for n in data["CompanyNumber"])
    assert all(datetime.datetime.strptime(d, "%d/%m/%Y") for d in data["IncorporationDate"])
    assert any("," in n for n in data["CompanyName"]) and any('"' in n for n in data["CompanyName"])
    sic = data["SICCode.SicText_1"]
    assert "None Supplied" in sic and any(s.startswith("7222 - ") for s in sic)
    assert all(s == "None Supplied" or s[:4].isdigit() for s in sic)
    assert 0 < data["RegAddress.PostCode"].count("") < 60  # about 1% missing
    result = companies_import(path)
    assert result.bad_rows == 0 and result.located > 1900


def test_bad_rows_in_part_files_are_numbered_within_their_file(data_dir):
    rows = snapshot_2024()
    one = write_csv(data_dir / "BasicCompanyData-2024-11-01-part1_2.csv", rows[:5])
    bad = row(number="00000042", incorporated="32/01/2020")
    two = write_csv(data_dir / "BasicCompanyData-2024-11-01-part2_2.csv", [rows[5], bad, rows[6]])
    result = companies_import([two, one], max_bad_share=0.5)
    assert result.bad_examples == [
        "BasicCompanyData-2024-11-01-part2_2.csv, line 3: "
        "IncorporationDate “32/01/2020” is not a dd/mm/yyyy date"
    ]


NAME = "BasicCompanyDataAsOneFile-2024-11-01"


def stored_numbers(data_dir):
    snapshot = Snapshot.objects.get()
    return sorted(pl.read_parquet(data_dir / "insights" / snapshot.filename)["number"])


def assert_report_gives_the_examples_reasons(result):
    with open(result.report, encoding="utf-8") as f:
        assert [r["reason"] for r in csv.DictReader(f)] == [
            line.split(": ", 1)[1] for line in result.bad_examples
        ]


def test_each_reason_quotes_its_own_value(data_dir):
    rows = snapshot_2024()
    rows[5] = row(number="00000006", incorporated="2020-02-01", dissolved="yesterday")
    rows[6] = row(number="abc", incorporated="15/15/2020")
    result = companies_import(write_csv(data_dir / f"{NAME}.csv", rows), max_bad_share=0.5)
    assert result.bad_examples == [
        f"{NAME}.csv, line 7: IncorporationDate “2020-02-01” is not a dd/mm/yyyy date; "
        "DissolutionDate “yesterday” is not a dd/mm/yyyy date",
        f"{NAME}.csv, line 8: CompanyNumber “abc” is not 8 capital letters or digits; "
        "IncorporationDate “15/15/2020” is not a dd/mm/yyyy date",
    ]
    assert_report_gives_the_examples_reasons(result)


def test_bad_rows_after_a_value_spanning_lines_get_their_own_line(data_dir):
    rows = snapshot_2024()
    # Quoted values may hold line breaks (and escaped quotes): records and lines part ways.
    rows[1] = row(number="00000002", **{"RegAddress.AddressLine1": 'Unit 1\nThe "Hub"\nLevel 2'})
    rows[6] = row(number="abc", incorporated="01/02/2020")
    path = write_csv(data_dir / f"{NAME}.csv", rows, newline="\r\n")
    result = companies_import(path, max_bad_share=0.5)
    assert result.bad_examples == [
        f"{NAME}.csv, line 10: CompanyNumber “abc” is not 8 capital letters or digits"
    ]
    lines = path.read_bytes().split(b"\n")
    assert lines[10 - 1].startswith(b'"COMPANY abc LIMITED","abc"')


@pytest.mark.parametrize("value", ["01/02/20", "01/02/-2020", "01/02/+2020", "1/1/1", "1/2/2020"])
def test_a_date_not_written_dd_mm_yyyy_is_a_bad_row(data_dir, value):
    rows = snapshot_2024() + [row(number="00000042", incorporated=value)]
    result = companies_import(write_csv(data_dir / f"{NAME}.csv", rows), max_bad_share=0.5)
    assert result.bad_examples == [
        f"{NAME}.csv, line 11: IncorporationDate “{value}” is not a dd/mm/yyyy date"
    ]


def tech_firm(number, incorporated="", dissolved=""):
    return row(
        number=number,
        postcode="MK9 1AA",
        sic1=SOFTWARE,
        incorporated=incorporated,
        dissolved=dissolved,
    )


PLAUSIBLE = [
    tech_firm("00000020", "30/11/2024"),  # the last day of the file's month
    tech_firm("00000021", "01/01/1856"),  # old companies are still on the register
    tech_firm("00000022", "01/06/2020", "01/06/2020"),
    tech_firm("00000023", "", "01/01/2020"),  # no IncorporationDate: nothing to compare
]
IMPLAUSIBLE = [
    tech_firm("00000030", "01/12/2024"),
    tech_firm("00000031", "01/01/2999"),
    tech_firm("00000032", "02/01/2020", "01/01/2020"),
    tech_firm("00000033", "01/01/2999", "01/01/0001"),
]


def test_a_date_after_the_files_month_or_a_dissolution_before_incorporation_is_a_bad_row(
    data_dir,
):
    digital = SectorDefinition.objects.get(slug="dcms-digital-2016")
    area = Area.objects.get(slug="milton-keynes")
    companies_import(write_csv(data_dir / f"{NAME}.csv", snapshot_2024() + PLAUSIBLE))
    assert Snapshot.objects.get().bad_rows == 0
    plausible_only = figures_for(area, digital)

    path = write_csv(data_dir / f"{NAME}.csv", snapshot_2024() + PLAUSIBLE + IMPLAUSIBLE)
    result = companies_import(path, max_bad_share=0.5)
    assert result.bad_examples == [
        f"{NAME}.csv, line 15: IncorporationDate “01/12/2024” is after the month of the file",
        f"{NAME}.csv, line 16: IncorporationDate “01/01/2999” is after the month of the file",
        f"{NAME}.csv, line 17: DissolutionDate “01/01/2020” is before the IncorporationDate "
        "“02/01/2020”",
        f"{NAME}.csv, line 18: IncorporationDate “01/01/2999” is after the month of the file; "
        "DissolutionDate “01/01/0001” is before the IncorporationDate “01/01/2999”",
    ]
    assert_report_gives_the_examples_reasons(result)
    # The good rows' figures are as they were; the bad rows' companies are still on the
    # register (their numbers are sure): in a later snapshot, none would have disappeared.
    figures = figures_for(area, digital)
    for part in ("headline", "incorporations", "dissolutions", "subsectors", "sizes"):
        assert figures[part] == plausible_only[part]
    assert figures["registry_numbers"] == plausible_only["registry_numbers"]
    on_the_register = on_register(Snapshot.objects.get()).collect()["number"].to_list()
    assert {"00000030", "00000031", "00000032", "00000033"} <= set(on_the_register)


def test_a_csv_cut_short_is_refused_with_its_line(first, data_dir):
    path = again(data_dir, snapshot_2024()[:5] + ['"CUT LTD","0000'])
    with pytest.raises(ImportFailed, match="line 7: ends inside a quoted value"):
        companies_import(path)
    assert_intact(first, data_dir)


def test_a_zip_and_its_unzipped_csv_together_are_refused(first, data_dir):
    folder = data_dir / "download"
    folder.mkdir()
    csv_path = write_csv(folder / f"{NAME}.csv", snapshot_2024())
    with zipfile.ZipFile(folder / f"{NAME}.zip", "w") as archive:
        archive.write(csv_path, csv_path.name)
    with pytest.raises(ImportFailed, match="the same file given twice"):
        companies_import(folder)
    assert_intact(first, data_dir)


def test_part_zips_holding_csvs_of_the_same_name_are_all_read(data_dir):
    rows = snapshot_2024()
    zips = []
    for i, chunk in ((1, rows[:4]), (2, rows[4:])):
        csv_path = write_csv(data_dir / f"p{i}.csv", chunk)
        zips.append(data_dir / f"BasicCompanyData-2024-11-01-part{i}_2.zip")
        with zipfile.ZipFile(zips[-1], "w") as archive:
            archive.write(csv_path, "data.csv")
    companies_import(zips)
    assert stored_numbers(data_dir) == sorted(r.split(",")[1].strip('"') for r in rows)


def test_part_files_of_different_downloads_are_named_as_such(data_dir):
    rows = snapshot_2024()
    one = write_csv(data_dir / "BasicCompanyData-2024-11-01-part1_2.csv", rows[:4])
    two = write_csv(data_dir / "BasicCompanyData-2024-11-01-part2_3.csv", rows[4:])
    with pytest.raises(ImportFailed, match=r"disagree on how many parts there are \(2 and 3\)"):
        companies_import([one, two])


def test_blank_lines_are_not_companies(data_dir):
    rows = snapshot_2024()
    rows = rows[:3] + [""] + rows[3:] + [row(number="00000042", incorporated="32/01/2020")]
    path = write_csv(data_dir / f"{NAME}.csv", rows)
    path.write_bytes(path.read_bytes() + b"\n")  # and a blank last line
    result = companies_import(path, max_bad_share=0.5)
    assert (result.rows, result.bad_rows) == (10, 1)
    # The header, three rows, the blank line, six rows: the bad row is on line 12.
    assert result.bad_examples[0].startswith(f"{NAME}.csv, line 12: IncorporationDate")


def test_an_encrypted_zip_is_refused_clearly(first, data_dir):
    csv_path = write_csv(data_dir / "c.csv", snapshot_2024())
    zip_path = data_dir / "x" / f"{NAME}.zip"
    zip_path.parent.mkdir()
    with zipfile.ZipFile(zip_path, "w") as archive:
        archive.write(csv_path, f"{NAME}.csv")
    data = bytearray(zip_path.read_bytes())
    data[6] |= 1  # the "encrypted" flag, in the local header and the central directory
    data[data.rfind(b"PK\x01\x02") + 8] |= 1
    zip_path.write_bytes(bytes(data))
    with pytest.raises(ImportFailed, match="could not be unzipped: .*encrypted"):
        companies_import(zip_path)
    assert_intact(first, data_dir)


def test_a_report_that_cannot_be_written_changes_nothing(first, data_dir, monkeypatch):
    rows = snapshot_2024()
    rows[2] = row(number="00000003", incorporated="bad")
    report = data_dir / "insights" / "companies-2024-11-bad-rows.csv"
    before = report.read_bytes()

    def disk_full(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(pl.DataFrame, "write_csv", disk_full)
    with pytest.raises(ImportFailed, match="No space left on device"):
        companies_import(again(data_dir, rows), max_bad_share=0.5)
    assert_intact(first, data_dir)
    assert report.read_bytes() == before


def test_a_snapshot_that_cannot_be_written_changes_nothing(first, data_dir):
    # A real failed write: files may grow to 1 KB only (Python ignores SIGXFSZ, so the
    # write fails with "File too large" as on a full disk), and the snapshot is larger.
    source = again(data_dir, snapshot_2024()[:-1])
    soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    resource.setrlimit(resource.RLIMIT_FSIZE, (1024, hard))
    try:
        with pytest.raises(ImportFailed, match="could not be read or written: .*File too large"):
            companies_import(source)
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))
    assert_intact(first, data_dir)


def test_progress_follows_the_bytes_unzipped_and_read(data_dir):
    csv_path = write_csv(data_dir / f"{NAME}.csv", snapshot_2024())
    size = csv_path.stat().st_size
    zip_path = data_dir / "again" / f"{NAME}.zip"
    with zipfile.ZipFile(zip_path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.write(csv_path, csv_path.name)
    calls = []
    companies_import(zip_path, progress=lambda *call: calls.append(call))
    for step in ("unzip", "read"):
        done = [d for s, d, total in calls if s == step and total == size]
        assert done and done == sorted(done) and done[-1] == size
    steps = [step for step, *_ in calls]
    assert steps == sorted(steps, key=["unzip", "read"].index)


def test_a_file_cut_short_at_a_line_break_does_not_replace_the_months_snapshot(first, data_dir):
    # Nine companies imported for November; the same month's file again, with four of them.
    with pytest.raises(ImportFailed, match="4 rows, under half the 9 of the November 2024"):
        companies_import(again(data_dir, snapshot_2024()[:4]))
    assert_intact(first, data_dir)
    result = companies_import(again(data_dir, snapshot_2024()[:4]), force=True)
    assert result.rows == 4 and Snapshot.objects.get().rows == 4


def test_a_killed_imports_work_folder_is_removed_by_the_next_import(first, data_dir):
    stale = data_dir / "insights" / ".import-killed"
    stale.mkdir()
    (stale / "BasicCompanyDataAsOneFile-2024-11-01.csv").write_text("unzipped, then killed")
    running = data_dir / "insights" / ".import-running"
    running.mkdir()
    day_ago = time.time() - 25 * 3600
    os.utime(stale, (day_ago, day_ago))
    companies_import(again(data_dir, snapshot_2024()))
    assert not stale.exists() and running.exists()  # an import still running is left alone
