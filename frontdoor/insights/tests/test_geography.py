"""Postcode lookups: the offline ONSPD package, and ONSPD/NSPL files with varying columns."""

import os
import time
import zipfile

import polars as pl
import pytest

from frontdoor.insights.geography import (
    DISTRICT,
    district_key,
    locate,
    postcode_key,
    postcode_table,
    postcode_text,
    source_description,
)
from frontdoor.insights.postcode_files import PostcodeImportError, postcodes_import

# The data directory fixture seeds the sector definitions.
pytestmark = pytest.mark.django_db


def lookup(*postcodes):
    keys = pl.DataFrame({"text": list(postcodes)}).select(
        "text", postcode=postcode_key(pl.col("text"))
    )
    return dict(locate(keys).select("text", "lad").iter_rows())


def test_the_offline_directory_places_known_postcodes(data_dir):
    assert lookup("MK91AA", "M11AA", "S11AA", "NOTAPC", "", "0MK91AA") == {
        "MK91AA": "E06000042",  # Milton Keynes
        "M11AA": "E08000003",  # Manchester
        "S11AA": "E08000039",  # Sheffield, under its post-2025 code
        "NOTAPC": None,
        "": None,
        "0MK91AA": None,  # would equal MK91AA as a number: refused
    }
    assert "November 2025" in source_description()


ONSPD = (
    "pcd,pcd2,pcds,dointr,doterm,oscty,ced,oslaua,osward\n"
    '"AB1 0AA","AB1  0AA","AB1 0AA","198001","199606","S99999999","S99999999","S12000033","x"\n'
    '"ZZ9 9ZZ","ZZ9  9ZZ","ZZ9 9ZZ","198001","","E10000002","x","E06000042","x"\n'
    '"ZZ9 9ZY","ZZ9  9ZY","ZZ9 9ZY","198001","","E10000002","x","E08000019","x"\n'
)
NSPL = "pcd7,pcd8,pcds,dointr,doterm,lad25cd,ward\nZZ9 9ZZ,ZZ9  9ZZ,ZZ9 9ZZ,1,,E08000025,x\n"


@pytest.mark.parametrize(
    ("text", "expected"),
    [(ONSPD, {"ZZ99ZZ": "E06000042", "ZZ99ZY": "E08000019"}), (NSPL, {"ZZ99ZZ": "E08000025"})],
)
def test_an_onspd_or_nspl_file_is_read_by_column_pattern(data_dir, text, expected):
    path = data_dir / "ONSPD_NOV_2025_UK.csv"
    path.write_text(text)
    # Far smaller than the offline directory in use, hence force.
    assert postcodes_import(path, force=True).postcodes == len(expected) + (
        1 if text is ONSPD else 0
    )
    assert lookup(*expected) == expected
    assert "ONSPD_NOV_2025_UK.csv" in source_description()
    assert postcode_table().collect().height == len(expected) + (1 if text is ONSPD else 0)


def test_a_zipped_directory_is_read(data_dir):
    path = data_dir / "ONSPD_NOV_2025.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("Documents/readme.csv", "x\n1\n")
        archive.writestr("Data/ONSPD_NOV_2025_UK.csv", ONSPD)
    assert postcodes_import(path, force=True).postcodes == 3


def test_a_killed_imports_work_folder_is_removed_by_the_next_one(data_dir):
    stale = data_dir / "insights" / ".postcodes-killed"
    (stale / "Data").mkdir(parents=True)
    day_ago = time.time() - 25 * 3600
    os.utime(stale, (day_ago, day_ago))
    path = data_dir / "ONSPD_NOV_2025_UK.csv"
    path.write_text(ONSPD)
    postcodes_import(path, force=True)
    assert not stale.exists()


def test_a_file_without_the_columns_is_refused(data_dir):
    path = data_dir / "postcodes.csv"
    path.write_text("postcode,district\nMK9 1AA,x\n")
    with pytest.raises(PostcodeImportError, match="no postcode column"):
        postcodes_import(path)
    assert "November 2025" in source_description()  # still the offline directory


def test_a_postcode_key_gives_back_the_postcode_and_its_district():
    texts = ["MK93HS", "mk93hs", "M11AA", "EC1A1BB", "MK9", "9MK93HS"]
    keys = pl.select(postcode_key(pl.Series(texts))).to_series().to_list()
    assert [postcode_text(k) for k in keys] == ["MK9 3HS", "MK9 3HS", "M1 1AA", "EC1A 1BB", "", ""]
    assert [k // DISTRICT if k else None for k in keys[:4]] == [
        district_key(d) for d in ["MK9", "MK9", "M1", "EC1A"]
    ]
    # Not postcodes: a sign (which base 36 would read), characters other than letters and
    # digits, the wrong length.
    odd = ["+MK93H", "-MK93HS", "[K93HS", "MK9_3HS", "ÉK93HS", "MK93HSXX", ""]
    assert pl.select(postcode_key(pl.Series(odd))).to_series().to_list() == [None] * len(odd)


HEADER = "pcd7,pcds,doterm,lad25cd,ward\n"


def nspl(*rows):
    return HEADER + "".join(f"{pc},{pc},,{lad},x\n" for pc, lad in rows)


ABERDEEN = nspl(("AB1 0AA", "S12000033"), ("AB1 0AB", "S12000033"))
MILTON_KEYNES = nspl(("MK9 1AA", "E06000042"))
MANCHESTER = nspl(("M1 1AA", "E08000003"))
UK = ABERDEEN + MILTON_KEYNES[len(HEADER) :] + MANCHESTER[len(HEADER) :]


def test_a_zip_uses_its_uk_wide_file_even_after_per_area_files(data_dir):
    path = data_dir / "ONSPD_NOV_2025.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("Data/multi_csv/ONSPD_NOV_2025_UK_AB.csv", ABERDEEN)
        archive.writestr("Data/multi_csv/ONSPD_NOV_2025_UK_MK.csv", MILTON_KEYNES)
        archive.writestr("Data/ONSPD_NOV_2025_UK.csv", UK)
    assert postcodes_import(path, force=True).postcodes == 4
    assert lookup("AB10AA", "MK91AA", "M11AA") == {
        "AB10AA": "S12000033",
        "MK91AA": "E06000042",
        "M11AA": "E08000003",
    }


def test_a_zip_of_per_area_files_only_is_read_whole(data_dir):
    path = data_dir / "ONSPD_MAY_2025.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("Documents/LA_UA names and codes UK.csv", "LAD25CD,LAD25NM\nx,y\n")
        archive.writestr("Data/multi_csv/ONSPD_MAY_2025_UK_AB.csv", ABERDEEN)
        archive.writestr("Data/multi_csv/ONSPD_MAY_2025_UK_M.csv", MANCHESTER)
        archive.writestr("Data/multi_csv/ONSPD_MAY_2025_UK_MK.csv", MILTON_KEYNES)
    assert postcodes_import(path, force=True).postcodes == 4
    assert lookup("AB10AB", "MK91AA", "M11AA") == {
        "AB10AB": "S12000033",
        "MK91AA": "E06000042",
        "M11AA": "E08000003",
    }
    assert "3 area files" in source_description()


def test_a_lookup_under_half_the_size_of_the_one_in_use_needs_force(data_dir):
    path = data_dir / "ONSPD_NOV_2025_UK.csv"
    path.write_text(UK)
    with pytest.raises(PostcodeImportError, match=r"4 postcodes, under half .* --force"):
        postcodes_import(path)
    assert "November 2025" in source_description()  # the offline directory is kept
    postcodes_import(path, force=True)
    # Against the four postcodes now in use, three is not under half: no force needed.
    path.write_text(nspl(("AB1 0AA", "S12000033"), ("MK9 1AA", "E06000042"), ("M1 1AA", "x")))
    with pytest.raises(PostcodeImportError, match="1 of 3 rows are bad"):
        postcodes_import(path)
    path.write_text(UK[: -len("M1 1AA,M1 1AA,,E08000003,x\n")])
    assert postcodes_import(path).postcodes == 3


BAD_ROWS = (
    HEADER
    + "MK9 1AA,MK9 1AA,,E06000042,x\n"
    + "M1 1AA,M1 1AA,,E08000003\n"  # short
    + "M1 1AB,M1 1AB,,E08000003,x,extra\n"
    + "M1 1AC,M1 1AC,E08000003,,x\n"  # shifted into doterm
    + "M1 1AD,M1 1AD,,E0800003,x\n"  # a digit short
    + "1AA,1AA,,E08000003,x\n"
    + "\n"  # a blank line is not a row
    + "M1 1AE,M1 1AE,,,x\n"  # no code: ONSPD leaves some blank
)


def test_bad_postcode_rows_are_counted_and_reported_with_their_lines(data_dir):
    path = data_dir / "NSPL_NOV_2025_UK.csv"
    path.write_text(BAD_ROWS)
    expected = [
        "NSPL_NOV_2025_UK.csv, line 3: 4 fields where the header has 5",
        "NSPL_NOV_2025_UK.csv, line 4: 6 fields where the header has 5",
        "NSPL_NOV_2025_UK.csv, line 5: date of termination “E08000003” is not yyyymm: "
        "values out of place?",
        "NSPL_NOV_2025_UK.csv, line 6: local authority code “E0800003” is not an ONS code "
        "such as E06000042",
        "NSPL_NOV_2025_UK.csv, line 7: postcode “1AA” is not a postcode",
    ]
    with pytest.raises(PostcodeImportError) as refused:
        postcodes_import(path, force=True)
    assert "5 of 7 rows are bad (more than 0.10%)" in str(refused.value)
    assert all(line in str(refused.value) for line in expected)
    assert "November 2025" in source_description()  # nothing changed

    result = postcodes_import(path, force=True, max_bad_share=0.8)
    assert (result.rows, result.bad_rows, result.without_code, result.postcodes) == (7, 5, 1, 1)
    assert result.bad_examples == expected
    assert lookup("MK91AA", "M11AA") == {"MK91AA": "E06000042", "M11AA": None}


def test_a_file_cut_inside_a_quoted_value_is_refused_with_its_line(data_dir):
    path = data_dir / "NSPL_NOV_2025_UK.csv"
    path.write_text(MILTON_KEYNES + '"M1 1AA,M1 1AA,,E08000003,x\n')
    with pytest.raises(PostcodeImportError, match="line 3: ends inside a quoted value"):
        postcodes_import(path, force=True)


SPANNING = (
    HEADER
    + 'MK9 1AA,MK9 1AA,,E06000042,"Campbell Park,\n\nand ""Central"""\n'  # lines 2 to 4
    + "MK9 1AB,MK9 1AB,,E06000042,x\n"
    + "M1 1AD,M1 1AD,,E0800003,x\n"  # a digit short
    + "\n"  # a blank line is not a row
    + 'M1 1AA,M1 1AA,,"E08000003\nx"\n'  # lines 8 and 9: short, its newline quoted
    + "M1 1AB,M1 1AB,,E08000003,x\n"
)


def test_bad_rows_after_a_quoted_value_over_lines_are_found_on_their_own_lines(data_dir):
    path = data_dir / "ONSPD_NOV_2025.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("Data/multi_csv/ONSPD_NOV_2025_UK_AB.csv", BAD_ROWS)
        archive.writestr("Data/multi_csv/ONSPD_NOV_2025_UK_M.csv", SPANNING)
    result = postcodes_import(path, force=True, max_bad_share=0.8)
    assert result.bad_examples[5:] == [
        "Data/multi_csv/ONSPD_NOV_2025_UK_M.csv, line 6: local authority code “E0800003” is "
        "not an ONS code such as E06000042",
        "Data/multi_csv/ONSPD_NOV_2025_UK_M.csv, line 8: 4 fields where the header has 5",
    ]
    assert (result.rows, result.bad_rows) == (7 + 5, 5 + 2)
    assert lookup("MK91AA", "MK91AB", "M11AB") == {
        "MK91AA": "E06000042",
        "MK91AB": "E06000042",
        "M11AB": "E08000003",
    }
