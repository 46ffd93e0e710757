"""Fixtures: a private data directory per test, with the postcode lookup built once."""

import datetime
import shutil

import pytest

from frontdoor.insights.companies_format import COLUMNS, HEADER
from frontdoor.insights.geography import _package_path, postcode_table


@pytest.fixture(scope="session")
def postcode_cache(tmp_path_factory):
    """The lookup from the installed ONSPD package, built once for the whole session."""
    from django.conf import settings

    folder = tmp_path_factory.mktemp("postcodes")
    original = settings.DATA_DIR
    settings.DATA_DIR = folder
    try:
        postcode_table()
        return _package_path()
    finally:
        settings.DATA_DIR = original


@pytest.fixture
def data_dir(settings, tmp_path, postcode_cache, django_db_blocker):
    from frontdoor.insights.seed import insights_seed

    # Transactional tests (the browser ones) flush the seeded rows; put them back.
    with django_db_blocker.unblock():
        insights_seed()
    settings.DATA_DIR = tmp_path
    (tmp_path / "insights").mkdir()
    shutil.copy(postcode_cache, tmp_path / "insights" / postcode_cache.name)
    return tmp_path


def quote(value):
    return '"' + str(value).replace('"', '""') + '"'


def row(**fields):
    """One company as the published CSV line; unnamed columns are empty."""
    names = {
        "name": "CompanyName",
        "number": "CompanyNumber",
        "postcode": "RegAddress.PostCode",
        "status": "CompanyStatus",
        "incorporated": "IncorporationDate",
        "dissolved": "DissolutionDate",
        "accounts": "Accounts.AccountCategory",
        "sic1": "SICCode.SicText_1",
        "sic2": "SICCode.SicText_2",
    }
    values = {names.get(k, k): v for k, v in fields.items()}
    values.setdefault("CompanyName", f"COMPANY {fields.get('number', '')} LIMITED")
    values.setdefault("CompanyStatus", "Active")
    values.setdefault("CompanyCategory", "Private Limited Company")
    values.setdefault("URI", f"http://business.data.gov.uk/id/company/{fields.get('number', '')}")
    return ",".join(quote(values.get(c, "")) for c in COLUMNS)


def write_csv(path, rows, header=HEADER, encoding="utf-8", newline="\n"):
    text = header + newline + "".join(r + newline for r in rows)
    path.write_bytes(text.encode(encoding) if isinstance(text, str) else text)
    return path


SOFTWARE = "62012 - Business and domestic software development"
CONSULTANCY = "62020 - Information technology consultancy activities"
OTHER_IT = "62090 - Other information technology service activities"
GAMES = "62011 - Ready-made interactive leisure and entertainment software development"
SOFTWARE_PUB = "58290 - Other software publishing"
DATA = "63110 - Data processing, hosting and related activities"
REAL_ESTATE = "68100 - Buying and selling of own real estate"
MANAGEMENT = "70229 - Management consultancy activities other than financial management"
SERVICES = "96090 - Other service activities n.e.c."
DORMANT = "99999 - Dormant Company"

NOV_2024 = datetime.date(2024, 11, 1)
NOV_2025 = datetime.date(2025, 11, 1)


def snapshot_2024():
    """The first hand-made snapshot (see test_figures for the expected answers)."""
    return [
        row(
            number="00000001",
            postcode="MK9 1AA",
            sic1=SOFTWARE,
            incorporated="15/03/2024",
            accounts="MICRO ENTITY",
        ),
        row(number="00000002", postcode="MK9 1AA", sic1=CONSULTANCY, incorporated="01/06/2024"),
        row(number="00000003", postcode="MK10 0AA", sic1=REAL_ESTATE, incorporated="01/01/2010"),
        row(
            number="00000004",
            postcode="mk91aa",
            sic1=MANAGEMENT,
            sic2=SOFTWARE_PUB,
            incorporated="20/07/2015",
            accounts="SMALL",
        ),
        row(
            number="00000005",
            postcode="MK9 1AA",
            sic1=SOFTWARE,
            status="Liquidation",
            incorporated="05/05/2019",
        ),
        row(number="00000006", postcode="M1 1AA", sic1=SOFTWARE, incorporated="01/02/2020"),
        row(number="00000007", postcode="M1 1AA", sic1=SERVICES, incorporated="01/02/2021"),
        row(number="SC000008", postcode="", sic1=CONSULTANCY, incorporated="01/02/2022"),
        row(number="00000009", postcode="MK9 1AA", sic1=GAMES, incorporated="10/10/2024"),
    ]


def snapshot_2025():
    """The second: 2 and 5 have gone, 9 is in liquidation, 10 to 13 are new or newly seen."""
    return [
        row(
            number="00000001",
            postcode="MK9 1AA",
            sic1=SOFTWARE,
            incorporated="15/03/2024",
            accounts="MICRO ENTITY",
        ),
        row(number="00000003", postcode="MK10 0AA", sic1=REAL_ESTATE, incorporated="01/01/2010"),
        row(
            number="00000004",
            postcode="MK9 1AA",
            sic1=MANAGEMENT,
            sic2=SOFTWARE_PUB,
            incorporated="20/07/2015",
            accounts="SMALL",
        ),
        row(number="00000006", postcode="M1 1AA", sic1=SOFTWARE, incorporated="01/02/2020"),
        row(number="00000007", postcode="M1 1AA", sic1=SERVICES, incorporated="01/02/2021"),
        row(number="SC000008", postcode="", sic1=CONSULTANCY, incorporated="01/02/2022"),
        row(
            number="00000009",
            postcode="MK9 1AA",
            sic1=GAMES,
            status="Liquidation",
            incorporated="10/10/2024",
        ),
        row(
            number="00000010",
            postcode="MK9 1AA",
            sic1=OTHER_IT,
            incorporated="02/02/2025",
            accounts="NO ACCOUNTS FILED",
        ),
        row(
            number="00000011",
            postcode="MK10 0AB",
            sic1=DORMANT,
            incorporated="01/01/2023",
            accounts="DORMANT",
        ),
        row(number="00000012", postcode="CV1 1AA", sic1=DATA, incorporated="01/01/2018"),
        row(
            number="00000013",
            postcode="S1 1AA",
            sic1=SOFTWARE,
            incorporated="01/01/2017",
            status="Active - Proposal to Strike off",
        ),
    ]


@pytest.fixture
def two_snapshots(data_dir, db):
    from frontdoor.insights.companies import companies_import

    a = write_csv(data_dir / "BasicCompanyDataAsOneFile-2024-11-01.csv", snapshot_2024())
    b = write_csv(data_dir / "BasicCompanyDataAsOneFile-2025-11-01.csv", snapshot_2025())
    companies_import(a)
    companies_import(b)
    return data_dir
