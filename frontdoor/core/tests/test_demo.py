"""The Milton Keynes demo data and its loader."""

import datetime
import json
import re

import pytest
from django.utils import timezone

from frontdoor.core import demo
from frontdoor.core.demo import DemoDataError, demo_load
from frontdoor.core.models import PublicationState
from frontdoor.directory.models import Organisation, Person, Place, Programme, Trial
from frontdoor.events.models import Event

pytestmark = pytest.mark.django_db

MODELS = {
    "organisations": Organisation,
    "places": Place,
    "programmes": Programme,
    "trials": Trial,
    "people": Person,
    "events": Event,
}
EXPECTED_COUNTS = {
    "organisations": 20,
    "places": 5,
    "programmes": 3,
    "trials": 5,
    "people": 2,
    "events": 11,
}


def demo_row(model, source_id):
    return model.objects.get(source="demo", source_id=source_id)


@pytest.fixture
def edited_demo_file(tmp_path, monkeypatch):
    """Point the loader at a copy of demo.json changed by the given function."""

    def edit(change):
        data = json.loads(demo.DATA_PATH.read_text(encoding="utf-8"))
        change(data)
        path = tmp_path / "demo.json"
        path.write_text(json.dumps(data), encoding="utf-8")
        monkeypatch.setattr(demo, "DATA_PATH", path)

    return edit


def record(data, kind, record_id):
    return next(r for r in data[kind] if r["id"] == record_id)


def test_load_returns_counts_per_kind_matching_the_rows():
    counts = demo_load()

    assert counts == EXPECTED_COUNTS
    for kind, model in MODELS.items():
        assert model.objects.filter(source="demo").count() == EXPECTED_COUNTS[kind], kind


def test_loading_twice_leaves_the_same_rows():
    demo_load()
    before = {kind: set(m.objects.values_list("pk", "slug")) for kind, m in MODELS.items()}

    assert demo_load() == EXPECTED_COUNTS

    after = {kind: set(m.objects.values_list("pk", "slug")) for kind, m in MODELS.items()}
    assert after == before


def test_every_demo_row_is_published_with_provenance():
    demo_load()

    for kind, model in MODELS.items():
        rows = model.objects.filter(source="demo")
        assert set(rows.values_list("state", flat=True)) == {PublicationState.PUBLISHED}, kind
        assert not rows.filter(last_verified__isnull=True).exists(), kind
        assert not rows.filter(source_id="").exists(), kind
        for row in rows:
            assert "Source: " in row.description.split("\n\n")[-1], row.source_id


def test_named_records_are_present_and_published():
    demo_load()

    council = Organisation.objects.published().get(name="Milton Keynes City Council")
    assert council.kind == Organisation.Kind.PUBLIC
    assert council.local_authority_code == "E06000042"

    protospace = Organisation.objects.published().get(slug="protospace")
    assert protospace.kind == Organisation.Kind.COMMUNITY
    assert protospace.website == "https://protospace.uk/"

    network = Place.objects.published().get(source_id="mk-5g-research-network")
    assert network.kind == Place.Kind.NETWORK
    assert {s.slug for s in network.sectors.all()} == {"advanced-communications", "smart-city"}

    bletchley = Place.objects.published().get(slug="bletchley-park")
    assert (bletchley.kind, bletchley.postcode) == (Place.Kind.VENUE, "MK3 6EB")

    assert Trial.objects.published().get(name="Milton Keynes StreetCAV").status == "live"
    assert Programme.objects.published().get(name="MK Tech Fund").kind == Programme.Kind.FUND
    assert Organisation.objects.get(slug="milton-keynes-investor-group").website == (
        "https://mkig.co.uk/"
    )


def test_relations_are_resolved():
    demo_load()
    council = demo_row(Organisation, "mk-city-council")

    assert demo_row(Place, "mk-5g-research-network").operator == council
    assert demo_row(Place, "bletchley-park").operator == demo_row(
        Organisation, "bletchley-park-trust"
    )

    streetcav = demo_row(Trial, "streetcav")
    assert streetcav.lead == council
    assert streetcav.test_bed == demo_row(Place, "mk-city-test-bed")
    starship = demo_row(Trial, "starship-robot-deliveries")
    assert starship.lead.name == "Starship Technologies"
    assert list(starship.partners.all()) == [council]
    assert starship.test_bed == demo_row(Place, "redway-test-bed")
    assert demo_row(Trial, "mark-advanced-radio").test_bed.kind == Place.Kind.NETWORK

    fund = demo_row(Programme, "mk-tech-fund")
    assert fund.provider == demo_row(Organisation, "mk-investor-group")
    assert {s.slug for s in fund.stages.all()} == {"pre-seed", "seed"}
    assert demo_row(Programme, "mk-smart").provider.name == "The Open University"

    assert demo_row(Event, "ai-safety-summit-2023").venue == demo_row(Place, "bletchley-park")
    assert list(demo_row(Event, "mk-tech-week-2025").organisers.all()) == [council]
    assert {p.slug for p in demo_row(Person, "sample-mentor").roles.all()} == {
        "mentor",
        "speaker",
    }


def test_calendar_has_real_past_events_and_illustrative_upcoming_ones():
    today = timezone.localdate(timezone=demo.LONDON)
    demo_load(today=today)
    events = Event.objects.published().filter(source="demo")

    past = set(events.past().values_list("source_id", flat=True))
    upcoming = set(events.upcoming().values_list("source_id", flat=True))
    assert {"ai-safety-summit-2023", "mk-tech-week-2025", "all-flows-2026"} <= past
    assert upcoming == {
        "all-flows-next",
        "mk-tech-week-next",
        "city-of-codes-and-light-next",
        "birmingham-tech-week-next",
    }
    for event in events:
        illustrative = "The date shown is illustrative" in event.description
        assert illustrative == (event.source_id in upcoming), event.source_id

    all_flows = demo_row(Event, "all-flows-next")
    assert all_flows.local_start.date() == today + datetime.timedelta(days=12)
    assert all_flows.local_end.date() == today + datetime.timedelta(days=14)


def test_times_are_aware_and_in_london():
    demo_load()

    summit = demo_row(Event, "ai-safety-summit-2023")  # GMT
    assert summit.starts_at.utcoffset() == datetime.timedelta(0)
    assert summit.local_start.isoformat() == "2023-11-01T00:00:00+00:00"
    assert summit.local_end.date() == datetime.date(2023, 11, 2)
    assert summit.all_day and summit.time_zone == "Europe/London"

    tech_week = demo_row(Event, "mk-tech-week-2025")  # BST: local midnight is 23:00 UTC
    assert tech_week.starts_at == datetime.datetime(2025, 8, 31, 23, tzinfo=datetime.UTC)
    assert "Only the month is known" in tech_week.description


def test_people_are_fictional_samples_with_consent():
    demo_load()
    people = Person.objects.filter(source="demo")

    assert people.count() == 2
    assert Person.objects.published().filter(source="demo").count() == 2
    for person in people:
        assert "fictional" in person.name.lower()
        assert "fictional" in person.summary.lower()
        assert person.consent_recorded_at is not None
        assert person.consent_note
        assert person.public_email == ""
        assert person.organisation is None


def test_demo_file_holds_no_email_address():
    text = demo.DATA_PATH.read_text(encoding="utf-8")

    assert re.findall(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+", text) == []
    for person in json.loads(text)["people"]:
        assert person["fictional"] is True


def test_edits_to_the_file_update_the_rows(edited_demo_file):
    demo_load()
    protospace = demo_row(Organisation, "protospace")

    def change(data):
        row = record(data, "organisations", "protospace")
        row["summary"] = "Changed summary."
        del row["website"]
        record(data, "places", "mk-5g-research-network")["operator"] = None

    edited_demo_file(change)
    assert demo_load() == EXPECTED_COUNTS

    protospace.refresh_from_db()
    assert protospace.summary == "Changed summary."
    assert protospace.website == ""
    assert protospace.slug == "protospace"
    assert demo_row(Place, "mk-5g-research-network").operator is None


def test_slugs_come_from_names_and_stay_unique():
    Organisation.objects.create(name="Protospace", slug="protospace", kind="community")

    demo_load()
    demo_load()

    assert demo_row(Organisation, "protospace").slug == "protospace-2"
    assert demo_row(Trial, "streetcav").slug == "milton-keynes-streetcav"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            lambda d: record(d, "organisations", "protospace").update(postcode="not a code"),
            "'protospace'.*postcode",
        ),
        (
            lambda d: record(d, "trials", "streetcav").update(lead="no-such-organisation"),
            "'streetcav'.*no-such-organisation",
        ),
        (
            lambda d: record(d, "places", "bletchley-park").update(sectors=["no-such-sector"]),
            "'bletchley-park'.*no-such-sector",
        ),
        (
            lambda d: record(d, "events", "all-flows-2026").update(end="2026-05-01"),
            "'all-flows-2026'.*end",
        ),
        (
            lambda d: record(d, "events", "mk-tech-week-2025").update(start="2025-09-09"),
            "'mk-tech-week-2025'.*first day",
        ),
        (
            lambda d: record(d, "people", "sample-mentor").update(fictional=False),
            "'sample-mentor'.*fictional",
        ),
        (
            lambda d: record(d, "organisations", "bt").update(webiste="https://example.org/"),
            "'bt'.*webiste",
        ),
    ],
)
def test_bad_data_fails_loudly_and_loads_nothing(edited_demo_file, change, message):
    edited_demo_file(change)

    with pytest.raises(DemoDataError, match=message):
        demo_load()

    for model in MODELS.values():
        assert not model.objects.exists()
