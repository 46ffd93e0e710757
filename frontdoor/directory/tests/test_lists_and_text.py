"""Public lists and pages: a wrong Host header, programmes open to any stage and their
application dates, descriptions as written, empty and accented filters, validation
messages in words, and the demo after a curator's changes."""

import datetime
import json

import pytest
from django.core.exceptions import ValidationError

from frontdoor.core import demo
from frontdoor.directory.factories import OrganisationFactory, ProgrammeFactory
from frontdoor.directory.models import Programme, Stage

pytestmark = pytest.mark.django_db


def test_a_wrong_host_header_is_a_bad_request_not_a_server_error(client, settings):
    settings.ALLOWED_HOSTS = ["tech.example.org"]
    client.raise_request_exception = False
    response = client.get("/organisations/", headers={"host": "scanner.example"})
    assert response.status_code == 400
    assert "We couldn’t read that link" in response.content.decode()


def test_the_stage_filter_keeps_programmes_open_to_any_stage(client):
    ProgrammeFactory(name="Seed grant").stages.set([Stage.objects.get(slug="seed")])
    ProgrammeFactory(name="Growth loan").stages.set([Stage.objects.get(slug="scale-up")])
    ProgrammeFactory(name="Any-stage mentoring")
    page = client.get("/programmes/", {"stage": "seed"}).content.decode()
    assert "Seed grant" in page and "Any-stage mentoring" in page
    assert "Growth loan" not in page


def test_programme_cards_say_where_applications_stand(client):
    today = datetime.date.today()
    ProgrammeFactory(name="Old fund", closes_on=today - datetime.timedelta(days=30))
    ProgrammeFactory(name="New fund", opens_on=today + datetime.timedelta(days=30))
    ProgrammeFactory(name="Live fund", closes_on=today + datetime.timedelta(days=30))
    page = client.get("/programmes/").content.decode()
    assert "Applications: Closed on" in page
    assert "Applications: Open from" in page
    assert "Applications: Open until" in page


@pytest.mark.parametrize(
    ("description", "shown"),
    [
        ("First part.\n\nSecond, <strong>bold</strong>.", "<p>First part.</p>"),
        ("We write List<String> code.", "We write List&lt;String&gt; code."),
        ("<p>Typed <em>List<T></em> here.</p>", "Typed <em>List&lt;T&gt;</em> here."),
        ("Fish &amp; chips", "<p>Fish &amp; chips</p>"),
        ('Hello <script>alert(1)</script><img src=x onerror="x()">', "<p>Hello </p>"),
    ],
)
def test_descriptions_show_as_written_and_sanitised(client, description, shown):
    org = OrganisationFactory(name="Describer", description=description)
    page = client.get(org.get_absolute_url()).content.decode()
    assert shown in page
    assert "alert(1)" not in page and "onerror" not in page


@pytest.mark.parametrize("query", ["kind=", "sector=", "stage=", "kind=&q=acme", "sector=&sector="])
def test_an_empty_filter_value_asks_for_nothing(client, query):
    OrganisationFactory(name="Acme")
    response = client.get(f"/organisations/?{query}")
    assert response.status_code == 200 and "Acme" in response.content.decode()


def test_the_text_filter_ignores_case_beyond_ascii(client):
    OrganisationFactory(name="École Numérique")
    OrganisationFactory(name="Ecole Simple")
    assert "École Numérique" in client.get("/organisations/", {"q": "école"}).content.decode()
    assert "Ecole Simple" not in client.get("/organisations/", {"q": "ÉCOLE"}).content.decode()


def test_range_errors_are_explained_in_words():
    programme = ProgrammeFactory.build(
        name="Dates",
        slug="dates",
        opens_on=datetime.date(2026, 6, 1),
        closes_on=datetime.date(2026, 5, 1),
        amount_min=5_000,
        amount_max=1_000,
    )
    with pytest.raises(ValidationError) as raised:
        programme.full_clean()
    messages = " ".join(raised.value.messages)
    assert "Applications close before they open." in messages
    assert "The smallest amount is more than the largest." in messages
    assert "directory_programme" not in messages


def test_the_demo_loads_after_a_curator_renames_a_starting_term():
    stage = Stage.objects.get(slug="seed")
    stage.slug = "seed-round"
    stage.save()
    demo.demo_load()
    assert not Stage.objects.filter(slug="seed").exists()
    assert Programme.objects.filter(source="demo", stages=stage).exists()


def test_a_record_taken_out_of_the_demo_file_leaves_the_site(client, tmp_path, monkeypatch):
    demo.demo_load()
    data = json.loads(demo.DATA_PATH.read_text(encoding="utf-8"))
    dropped = data["people"].pop()
    path = tmp_path / "demo.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    monkeypatch.setattr(demo, "DATA_PATH", path)
    demo.demo_load()
    assert dropped["name"] not in client.get("/people/").content.decode()


def test_list_titles_say_the_page_and_a_bad_link(client):
    for n in range(21):
        OrganisationFactory(name=f"Org {n}")
    assert "<title>Organisations (page 2) ·" in client.get("/organisations/?page=2").text
    assert "<title>Organisations ·" in client.get("/organisations/").text
    assert "<title>Error: Organisations ·" in client.get("/organisations/?kind=nope").text
