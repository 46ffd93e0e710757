"""Postcode lookups: the offline ONSPD package, and ONSPD/NSPL files with varying columns."""

import zipfile

import polars as pl
import pytest

from frontdoor.insights.geography import (
    DISTRICT,
    PostcodeImportError,
    district_key,
    locate,
    postcode_key,
    postcode_table,
    postcode_text,
    postcodes_import,
    source_description,
)

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
    assert postcodes_import(path) == len(expected) + (1 if text is ONSPD else 0)
    assert lookup(*expected) == expected
    assert "ONSPD_NOV_2025_UK.csv" in source_description()
    assert postcode_table().collect().height == len(expected) + (1 if text is ONSPD else 0)


def test_a_zipped_directory_is_read(data_dir):
    path = data_dir / "ONSPD_NOV_2025.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("Documents/readme.csv", "x\n1\n")
        archive.writestr("Data/ONSPD_NOV_2025_UK.csv", ONSPD)
    assert postcodes_import(path) == 3


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
