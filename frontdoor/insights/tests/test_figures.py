"""Figures for two small hand-made snapshots equal answers worked out by hand."""

import polars as pl
import pytest

from frontdoor.insights.figures import figures_for, figures_refresh, places_of, snapshot_path
from frontdoor.insights.geography import insights_dir, postcode_text
from frontdoor.insights.models import Area, SectorDefinition, Snapshot

pytestmark = pytest.mark.django_db

# Worked by hand from conftest.snapshot_2024 / snapshot_2025, November 2025, digital:
# active on the register: 1 3 4 6 7 8 10 11 12 13 (9 is in liquidation) = 10;
# of them digital: 1 4 6 8 10 12 13 = 7, so the UK share is 0.7.
# Milton Keynes: active 1 3 4 10 11 = 5, digital 1 4 10 = 3, share 0.6, LQ 0.6 / 0.7.


@pytest.fixture
def digital():
    return SectorDefinition.objects.get(slug="dcms-digital-2016")


def mk(digital):
    return figures_for(Area.objects.get(slug="milton-keynes"), digital)


def test_headline(two_snapshots, digital):
    h = mk(digital)["headline"]
    assert (h["active_all"], h["active_sector"], h["share"]) == (5, 3, 0.6)
    assert (h["uk_active_all"], h["uk_active_sector"], h["uk_share"]) == (10, 7, 0.7)
    assert h["lq"] == round(0.6 / 0.7, 3)
    assert h["dormant"] == 0  # 11 files dormant accounts but is not digital


def test_incorporations_count_every_company_ever_seen(two_snapshots, digital):
    # Seen in MK and digital in either snapshot: 1 (2024), 2 (2024), 4 (2015, outside the
    # ten years shown), 5 (2019), 9 (2024), 10 (2025).
    years = {r["year"]: r["count"] for r in mk(digital)["incorporations"]}
    assert years[2024] == 3 and years[2025] == 1 and years[2019] == 1
    assert sum(years.values()) == 5 and min(years) == 2016


def test_disappearances_and_net_formation(two_snapshots, digital):
    fig = mk(digital)
    # 2 and 5 are in the 2024 snapshot and not in the 2025 one.
    assert fig["disappearances"] == [{"from": "2024-11-01", "to": "2025-11-01", "count": 2}]
    assert fig["net_formation"] == [
        {"year": 2025, "incorporations": 1, "disappearances": 2, "net": -1}
    ]


def test_survival_across_two_snapshots(two_snapshots, digital):
    one, three, five = mk(digital)["survival"]
    # Cohort: incorporated Nov 2023 to Oct 2024 and active in Nov 2024: 1, 2 and 9.
    # A year later 1 is active, 2 has gone and 9 is in liquidation: 1 of 3 survived.
    assert one["available"] and (one["cohort"], one["survivors"]) == (3, 1)
    assert one["rate"] == round(1 / 3, 6)
    assert (one["cohort_from"], one["cohort_to"]) == ("2023-11-01", "2024-10-31")
    assert one["measured_at"] == "2025-11-01"
    assert not three["available"] and "3 years apart" in three["reason"]
    assert "span 12 months" in three["reason"]
    assert not five["available"]


def test_sub_sector_and_size_mix(two_snapshots, digital):
    fig = mk(digital)
    assert [(r["subsector"], r["count"]) for r in fig["subsectors"]] == [
        ("Computer programming and consultancy", 2),
        ("Software publishing", 1),
    ]
    assert [(r["band"], r["count"]) for r in fig["sizes"]] == [
        ("Micro", 1),
        ("Small", 1),
        ("No accounts filed yet", 1),
    ]


def test_peers_and_the_uk(two_snapshots, digital):
    peers = {r["name"]: r for r in mk(digital)["peers"]}
    assert peers["Coventry"]["active_sector"] == 1 and peers["Coventry"]["lq"] == round(1 / 0.7, 3)
    assert peers["Sheffield"]["active_all"] == 1  # "Active - Proposal to Strike off" counts
    assert peers["Leeds"]["share"] is None and peers["Leeds"]["lq"] is None
    assert peers["United Kingdom"]["lq"] == 1.0


def test_one_snapshot_says_plainly_what_it_cannot_show(data_dir, db, digital):
    from frontdoor.insights.companies import companies_import

    from .conftest import snapshot_2024, write_csv

    companies_import(write_csv(data_dir / "x-2024-11-01.csv", snapshot_2024()))
    fig = mk(digital)
    assert fig["disappearances"] == [] and fig["net_formation"] == []
    assert all(not r["available"] for r in fig["survival"])
    assert "span 0 months" in fig["survival"][0]["reason"]


def test_only_legacy_codes_are_counted_and_none_supplied_is_not_legacy(data_dir, db, digital):
    from frontdoor.insights.companies import companies_import

    from .conftest import SOFTWARE, row, write_csv

    legacy = "7222 - Other software consultancy and supply"
    rows = [
        row(number="00000001", postcode="MK9 1AA", sic1=legacy),
        row(number="00000002", postcode="MK9 1AA", sic1=legacy, sic2=SOFTWARE),
        row(number="00000003", postcode="MK9 1AA", sic1="None Supplied"),
        row(number="00000004", postcode="MK9 1AA", sic1=SOFTWARE),
    ]
    companies_import(write_csv(data_dir / "x-2025-11-01.csv", rows))
    h = mk(digital)["headline"]
    assert (h["active_all"], h["active_sector"], h["legacy_sic_only"]) == (4, 2, 1)
    # Earlier imports stored the codes as text: "7222" for a legacy code, "None" for none.
    path = snapshot_path(Snapshot.objects.get())
    as_text = {"sic1": ["7222", "7222", "None", "62012"], "sic2": [None, "62012", None, None]}
    pl.read_parquet(path).drop("old_sic").with_columns(
        pl.Series(c, as_text.get(c, [None] * 4), dtype=pl.String) for c in SIC_COLUMNS
    ).write_parquet(path)
    _clear_cache()
    assert mk(digital)["headline"] == h


def test_dissolution_dates_count_companies_of_any_status(data_dir, db, client, digital):
    from frontdoor.insights.companies import companies_import

    from .conftest import REAL_ESTATE, SOFTWARE, row, write_csv

    ended = {"status": "Liquidation", "dissolved": "15/03/2025"}
    rows = [
        row(number="00000001", postcode="MK9 1AA", sic1=SOFTWARE),
        row(number="00000002", postcode="MK9 1AA", sic1=SOFTWARE, **ended),
        row(number="00000003", postcode="MK9 1AA", sic1=REAL_ESTATE, **ended),  # not digital
    ]
    companies_import(write_csv(data_dir / "x-2025-11-01.csv", rows))
    counts = {r["year"]: r["count"] for r in mk(digital)["dissolutions"]}
    assert counts[2025] == 1 and sum(counts.values()) == 1
    page = client.get("/insights/milton-keynes/").content.decode()
    assert "Dissolution dates on the register" in page


def test_an_earlier_month_uses_only_the_snapshots_up_to_it(two_snapshots, digital):
    import datetime

    fig = figures_for(Area.objects.get(slug="milton-keynes"), digital, datetime.date(2024, 11, 1))
    assert fig["snapshots"] == ["2024-11-01"]
    # November 2024: active 1 2 3 4 9 in MK (5 is in liquidation); digital 1 2 4 9.
    assert fig["headline"]["active_all"] == 5 and fig["headline"]["active_sector"] == 4


def test_areas_of_postcode_districts_groups_and_recoded_codes(two_snapshots, digital):
    districts = figures_for(Area.objects.get(slug="central-milton-keynes"), digital)
    assert districts["headline"]["active_all"] == 3  # MK9: 1 4 10 (3 and 11 are in MK10)
    north = figures_for(Area.objects.get(slug="northern-cities"), digital)
    assert north["headline"]["active_all"] == 3  # 6 and 7 in Manchester, 13 in Sheffield
    # An area still using Sheffield's old code finds companies placed under the new one.
    old = Area.objects.create(
        slug="old-sheffield", name="Sheffield (old code)", kind="local-authority", codes="E08000019"
    )
    assert figures_for(old, digital)["headline"]["active_sector"] == 1


def test_a_custom_definition_is_data(two_snapshots):
    custom = SectorDefinition.objects.create(slug="data", name="Data", version="1")
    custom.codes.create(sic_class="63.11", code="63110", subsector="Data processing")
    coventry = figures_for(Area.objects.get(slug="coventry"), custom)
    assert coventry["headline"]["active_sector"] == 1
    assert coventry["definition"] == {"slug": "data", "name": "Data", "version": "1"}


@pytest.mark.parametrize("slug", ["all", "active", "area", "accounts", "year", "len"])
def test_a_definition_may_be_slugged_like_any_column(two_snapshots, digital, slug):
    copy = SectorDefinition.objects.create(slug=slug, name="Copy", version="1")
    for code in digital.codes.all():
        copy.codes.create(sic_class=code.sic_class, code=code.code, subsector=code.subsector)
    mk = Area.objects.get(slug="milton-keynes")
    original, copied = figures_for(mk, digital), figures_for(mk, copy)
    for figures in (original, copied):
        del figures["definition"]
    assert copied == original


def test_refresh_caches_every_area_and_definition(
    two_snapshots, digital, django_assert_max_num_queries
):
    pairs = Area.objects.count() * SectorDefinition.objects.count()
    # A handful of queries in all, not some per area and definition.
    with django_assert_max_num_queries(10):
        assert figures_refresh() == pairs
    cached = list((two_snapshots / "insights" / "figures").glob("*.json"))
    assert len(cached) == pairs
    # An edit to an area is a new cache key: the figures follow the data.
    area = Area.objects.get(slug="milton-keynes")
    area.codes = "E08000026"
    area.save()
    assert figures_for(area, digital)["headline"]["active_all"] == 1


def test_snapshots_stored_with_postcode_sic_and_status_text_give_the_same_figures(
    two_snapshots, digital
):
    # Earlier imports kept the compact postcode text (and a district), SIC codes as text
    # ("62012", "7222" for a legacy code, "None" for "None Supplied"), and the status text.
    before = {slug: figures_for(Area.objects.get(slug=slug), digital) for slug in AREAS}
    for snapshot in Snapshot.objects.all():
        as_text = pl.col("postcode").map_elements(
            lambda key: postcode_text(key).replace(" ", ""), return_dtype=pl.String
        )
        sic_text = {c: pl.col(c).cast(pl.String).str.zfill(5) for c in SIC_COLUMNS}
        path = snapshot_path(snapshot)
        status = pl.when("active").then(pl.lit("Active")).otherwise(pl.lit("Liquidation"))
        rows = (
            pl.read_parquet(path)
            .with_columns(postcode=as_text, status=status, **sic_text)
            .drop("old_sic", "active")
        )
        rows.with_columns(district=pl.col("postcode").str.head(-3)).write_parquet(path)
        places = insights_dir() / snapshot.postcodes_filename
        pl.read_parquet(places).with_columns(postcode=as_text).write_parquet(places)
        assert places_of(snapshot, {})["postcode"].dtype == pl.Int64
    _clear_cache()
    after = {slug: figures_for(Area.objects.get(slug=slug), digital) for slug in AREAS}
    assert after == before


AREAS = ["milton-keynes", "central-milton-keynes", "northern-cities"]
SIC_COLUMNS = ("sic1", "sic2", "sic3", "sic4")


def _clear_cache():
    for path in (insights_dir() / "figures").glob("*.json"):
        path.unlink()


def test_a_company_on_a_bad_row_has_not_left_the_register(data_dir, db, digital):
    from frontdoor.insights.companies import companies_import

    from .conftest import SOFTWARE, row, write_csv

    def company(number, **fields):
        return row(
            number=number, postcode="MK9 1AA", sic1=SOFTWARE, incorporated="01/06/2024", **fields
        )

    first = [company("00000001"), company("00000002")]
    # A year on, 1's row has a bad dissolution date: a bad row, but 1 is still there.
    second = [company("00000001", dissolved="yesterday"), company("00000002")]
    companies_import(write_csv(data_dir / "x-2024-11-01.csv", first))
    companies_import(write_csv(data_dir / "x-2025-11-01.csv", second), max_bad_share=0.9)
    fig = mk(digital)
    assert fig["disappearances"][0]["count"] == 0
    assert (fig["survival"][0]["cohort"], fig["survival"][0]["survivors"]) == (2, 2)


def test_net_formation_counts_births_before_the_years_shown(data_dir, db, digital):
    from frontdoor.insights.companies import companies_import

    from .conftest import SOFTWARE, row, write_csv

    def company(number, incorporated):
        return row(number=number, postcode="MK9 1AA", sic1=SOFTWARE, incorporated=incorporated)

    stays, goes, born = (
        company("00000001", "01/01/2010"),
        company("00000002", "01/01/2010"),
        company("00000003", "01/03/2015"),
    )
    companies_import(write_csv(data_dir / "x-2014-11-01.csv", [stays, goes]))
    companies_import(write_csv(data_dir / "x-2015-11-01.csv", [stays, born]))
    companies_import(write_csv(data_dir / "x-2025-11-01.csv", [stays, born]))
    fig = mk(digital)
    assert min(r["year"] for r in fig["incorporations"]) == 2016  # 2015 is not shown
    assert fig["net_formation"][0] == {
        "year": 2015,
        "incorporations": 1,
        "disappearances": 1,
        "net": 0,
    }


def test_a_corrected_incorporation_date_counts_once_in_the_newest_year(data_dir, db, digital):
    from frontdoor.insights.companies import companies_import

    from .conftest import SOFTWARE, row, write_csv

    def company(incorporated):
        return row(number="00000001", postcode="MK9 1AA", sic1=SOFTWARE, incorporated=incorporated)

    companies_import(write_csv(data_dir / "x-2024-11-01.csv", [company("01/01/2019")]))
    companies_import(write_csv(data_dir / "x-2025-11-01.csv", [company("01/01/2020")]))
    years = {r["year"]: r["count"] for r in mk(digital)["incorporations"]}
    assert (years[2019], years[2020]) == (0, 1)


def test_recodes_are_followed_to_the_current_code(two_snapshots, digital):
    from frontdoor.insights.models import Recode

    # The lookup places Milton Keynes under E06000042, which became X, which became Y.
    Recode.objects.create(old_code="E06000042", new_code="E06000900")
    Recode.objects.create(old_code="E06000900", new_code="E06000901")
    current = Area.objects.create(
        slug="mk-now", name="Milton Keynes (newest code)", kind="local-authority", codes="E06000901"
    )
    assert figures_for(current, digital)["headline"]["active_all"] == 5


def test_renaming_a_definition_refreshes_its_figures(two_snapshots, digital):
    assert mk(digital)["definition"]["name"] == digital.name
    digital.name = "Digital sector (renamed)"
    digital.save()
    assert mk(digital)["definition"]["name"] == "Digital sector (renamed)"


def test_survival_says_why_when_the_snapshots_span_enough_but_no_pair_fits(data_dir, db, digital):
    from frontdoor.insights.companies import companies_import

    from .conftest import snapshot_2024, write_csv

    # 18 months apart, but no pair exactly a year apart; the first without the companies
    # incorporated after it.
    before = [r for r in snapshot_2024() if "/2024" not in r]
    for month, rows in (("2023-05", before), ("2024-11", snapshot_2024())):
        companies_import(write_csv(data_dir / f"x-{month}-01.csv", rows))
    one, three, _ = mk(digital)["survival"]
    assert one["reason"] == (
        "Needs two snapshots 1 year apart, taken in the same month of the year; "
        "no two imported so far are."
    )
    assert (
        three["reason"]
        == "Needs two snapshots 3 years apart; the snapshots imported so far span 18 months."
    )
