"""`frontdoor insights ...`: thin commands with clear errors."""

import zipfile

import pytest
from django.core.management import CommandError, call_command

from frontdoor.insights.models import Snapshot

from .conftest import snapshot_2024, write_csv

pytestmark = pytest.mark.django_db


def test_generate_then_import_then_refresh(data_dir, capsys):
    call_command(
        "insights",
        "generate-companies",
        str(data_dir / "g"),
        "--rows",
        "500",
        "--month",
        "2025-06",
        "--packaging",
        "zip",
    )
    zip_path = data_dir / "g" / "BasicCompanyDataAsOneFile-2025-06-01.zip"
    assert zip_path.exists()
    call_command("insights", "import-companies", str(zip_path))
    out = capsys.readouterr().out
    assert "Imported: Companies House June 2025: 500 rows, 0 bad" in out
    assert "Figures refreshed" in out
    call_command("insights", "import-companies", str(zip_path))
    assert "Unchanged" in capsys.readouterr().out
    assert Snapshot.objects.count() == 1


def test_errors_are_command_errors(data_dir):
    bad = write_csv(data_dir / "x-2025-01-01.csv", snapshot_2024(), header="a,b,c")
    with pytest.raises(CommandError, match="Import failed, previous data kept. .*wrong header"):
        call_command("insights", "import-companies", str(bad))
    with pytest.raises(CommandError, match="does not exist"):
        call_command("insights", "import-companies", str(data_dir / "missing.zip"))
    with pytest.raises(CommandError, match="not a month"):
        call_command("insights", "import-companies", str(bad), "--month", "January")
    with pytest.raises(CommandError, match="no postcode column"):
        call_command("insights", "import-postcodes", str(bad))


def test_a_new_postcode_lookup_relocates_every_snapshot(data_dir, capsys):
    from frontdoor.insights.figures import figures_for
    from frontdoor.insights.models import Area, SectorDefinition

    path = write_csv(data_dir / "BasicCompanyDataAsOneFile-2024-11-01.csv", snapshot_2024())
    call_command("insights", "import-companies", str(path))
    assert Snapshot.objects.get().located_rows == 8  # all but the one without a postcode
    # A lookup that knows only MK9 1AA (rows 1, 2, 5 and 9; 4's "mk91aa" is the same).
    lookup = data_dir / "pc.csv"
    lookup.write_text("pcds,oslaua\nMK9 1AA,E06000042\n")
    capsys.readouterr()
    with pytest.raises(CommandError, match="under half .* --force"):
        call_command("insights", "import-postcodes", str(lookup))
    assert Snapshot.objects.get().located_rows == 8  # the lookup in use was kept
    call_command("insights", "import-postcodes", str(lookup), "--force")
    out = capsys.readouterr().out
    assert "1 postcodes (1 rows, 0 bad, 0 without a local authority code)" in out
    assert "Postcodes of 1 snapshot located again" in out
    snapshot = Snapshot.objects.get()
    assert (snapshot.located_rows, snapshot.postcode_source) == (5, "pc.csv (columns pcds, oslaua)")
    mk = Area.objects.get(slug="milton-keynes")
    digital = SectorDefinition.objects.get(slug="dcms-digital-2016")
    assert figures_for(mk, digital)["headline"]["active_all"] == 4  # 3 (MK10) is not placed
    call_command("insights", "import-companies", str(path))
    out = capsys.readouterr().out
    assert "Unchanged (same data already imported): Companies House November 2024: 9 rows" in out
    assert "0 bad, 5 located by postcode" in out


def test_a_postcode_import_of_something_else_says_what_is_wrong(data_dir):
    empty = data_dir / "ONSPD_NOV_2025"
    (empty / "Documents").mkdir(parents=True)
    pdf = data_dir / "ONSPD User Guide.pdf"
    pdf.write_bytes(b"%PDF-1.4\n\xe2\x28\xa1\x00binary")
    xlsx = data_dir / "NSPL.xlsx"
    with zipfile.ZipFile(xlsx, "w") as archive:  # a workbook is a zip of XML files
        archive.writestr("xl/workbook.xml", "<workbook/>")
    binary = data_dir / "NSPL_NOV_2025_UK.csv"
    binary.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(100))
    for path, message in [
        (empty, "holds no ONSPD or NSPL CSV file"),
        (pdf, "is not a CSV or zip file"),
        (xlsx, "holds no CSV file"),
        (binary, "is not a CSV file"),
    ]:
        with pytest.raises(CommandError, match=message):
            call_command("insights", "import-postcodes", str(path))


def test_postcodes_import_from_the_folder_a_zip_was_unzipped_to(data_dir, capsys):
    folder = data_dir / "ONSPD_NOV_2025"
    (folder / "Data" / "multi_csv").mkdir(parents=True)
    (folder / "Documents").mkdir()
    (folder / "Documents" / "LA_UA names and codes UK.csv").write_text("LAD25CD,LAD25NM\n")
    (folder / "Data" / "ONSPD_NOV_2025_UK.csv").write_text(
        "pcds,oslaua\nMK9 1AA,E06000042\nM1 1AA,E08000003\n"
    )
    (folder / "Data" / "multi_csv" / "ONSPD_NOV_2025_UK_MK.csv").write_text(
        "pcds,oslaua\nMK9 1AA,E06000042\n"
    )
    call_command("insights", "import-postcodes", str(folder), "--force")
    out = capsys.readouterr().out
    assert "2 postcodes" in out
    # A national file takes a while: each stage is said as it starts.
    assert "Checking every row of 1 file…" in out and "Storing the lookup…" in out
    # A folder holding only the downloaded zip will do too.
    download = data_dir / "download"
    download.mkdir()
    with zipfile.ZipFile(download / "ONSPD_NOV_2025.zip", "w") as archive:
        archive.writestr("Data/ONSPD_NOV_2025_UK.csv", "pcds,oslaua\nMK9 1AA,E06000042\n")
    call_command("insights", "import-postcodes", str(download), "--force")
    assert "1 postcodes" in capsys.readouterr().out
