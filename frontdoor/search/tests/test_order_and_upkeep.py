"""Search: name order across pages, "within N km" as a circle, and records kept up to date
when the sector, stage or role they are filed under changes."""

import datetime
import json
import math
import random
import re

import pytest
from django.utils import timezone

from frontdoor.core import demo, geo
from frontdoor.directory.factories import (
    OrganisationFactory,
    PersonFactory,
    PlaceFactory,
    ProgrammeFactory,
)
from frontdoor.directory.models import Role, Sector, Stage
from frontdoor.search.backend import KINDS
from frontdoor.search.query import Params, search

pytestmark = pytest.mark.django_db


def names(results):
    return [h.name for h in results.hits]


def test_name_order_holds_across_pages_with_numbers_and_accents():
    expected = ["Delta Labs", "Éclair Robotics", "Fox Digital", "Łódź Tech"] + [
        f"Organisation {n}" for n in range(1, 26)
    ]
    shuffled = expected[:]
    random.Random(4).shuffle(shuffled)
    for name in shuffled:
        OrganisationFactory(name=name)
    pages = [
        names(search(Params(sort="name", page=page, per_page=4)))
        for page in range(1, math.ceil(len(expected) / 4) + 1)
    ]
    assert [name for page in pages for name in page] == expected


def offset(origin, north_km, east_km):
    """A point `north_km` and `east_km` from the origin (flat-earth, fine for a few km)."""
    lat = origin.latitude + north_km / 111.2
    lon = origin.longitude + east_km / (111.2 * math.cos(math.radians(origin.latitude)))
    return {"latitude": lat, "longitude": lon}


def test_within_counts_a_circle_not_its_bounding_box():
    centre = geo.postcode_lookup("MK9 3HS")
    OrganisationFactory(name="North edge", **offset(centre, 9.5, 0))
    # In the box's corner: 7.8 km north and east is 11 km away.
    OrganisationFactory(name="Corner", **offset(centre, 7.8, 7.8))
    OrganisationFactory(name="Near corner", **offset(centre, 6.5, 6.5))  # 9.2 km
    for sort in ["distance", "name"]:
        results = search(Params(near="MK9 3HS", within=10, sort=sort))
        assert sorted(names(results)) == ["Near corner", "North edge"], sort
        assert results.total == 2 and results.facets["type"] == {"organisation": 2}
    assert "Corner" in names(search(Params(near="MK9 3HS", within=25)))
    # The corners are kept per index state: a record added at a new point is seen.
    OrganisationFactory(name="South-west corner", **offset(centre, -7.5, -7.5))
    assert search(Params(near="MK9 3HS", within=10)).total == 2


def indexed_long_ago():
    """Indexed, as if every record was last saved long before: only the change that follows
    can tell the catch-up."""
    long_ago = timezone.now() - datetime.timedelta(minutes=5)
    for model in KINDS.values():
        model.objects.update(updated=long_ago)
    assert search(Params()).total == sum(m.objects.published().count() for m in KINDS.values())


def test_a_renamed_sector_renames_what_is_filed_under_it():
    OrganisationFactory(name="Kestrel Data", sectors=["ai"])
    indexed_long_ago()
    assert search(Params(q="intelligence")).total == 1
    sector = Sector.objects.get(slug="ai")
    sector.name, sector.slug = "Machine learning", "machine-learning"
    sector.save()
    assert names(search(Params(q="machine learning"))) == ["Kestrel Data"]
    assert search(Params(q="intelligence")).total == 0
    assert names(search(Params(sector=["machine-learning"]))) == ["Kestrel Data"]


def test_a_deleted_sector_leaves_its_records_facets():
    OrganisationFactory(name="Kestrel Data", sectors=["ai", "fintech"])
    indexed_long_ago()
    assert search(Params()).facets["sector"] == {"ai": 1, "fintech": 1}
    Sector.objects.get(slug="ai").delete()
    assert search(Params()).facets["sector"] == {"fintech": 1}


def test_renamed_stage_and_role_and_sectors_added_later_are_found():
    stage = Stage.objects.get(slug="seed")
    org = OrganisationFactory(name="Kestrel Data", stage=stage)
    PersonFactory(name="Ada Mentor", roles=["mentor"])
    indexed_long_ago()
    stage.name = "Angel round"
    stage.save()
    role = Role.objects.get(slug="mentor")
    role.name = "Coach"
    role.save()
    assert names(search(Params(q="angel"))) == ["Kestrel Data"]
    assert names(search(Params(q="coach"))) == ["Ada Mentor"]
    org.sectors.add(Sector.objects.get(slug="games"))
    assert names(search(Params(sector=["games"]))) == ["Kestrel Data"]
    Sector.objects.get(slug="games").organisation_set.clear()
    assert search(Params(sector=["games"])).total == 0


def test_a_record_taken_out_of_the_demo_file_leaves_search(tmp_path, monkeypatch):
    demo.demo_load()
    indexed_long_ago()
    data = json.loads(demo.DATA_PATH.read_text(encoding="utf-8"))
    dropped = data["people"].pop()
    assert search(Params(q=dropped["name"], type=["person"])).total == 1
    path = tmp_path / "demo.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    monkeypatch.setattr(demo, "DATA_PATH", path)
    demo.demo_load()
    assert search(Params(q=dropped["name"], type=["person"])).total == 0


def test_paging_by_distance_shows_each_record_at_a_shared_postcode_once():
    for n in range(12):
        OrganisationFactory(name=f"Tenant {n}", postcode="MK9 3HS")
        PlaceFactory(name=f"Room {n}", postcode="MK9 3HS")
    OrganisationFactory(name="Next door", postcode="MK9 2EA")
    seen = []
    for page in range(1, 4):
        results = search(Params(near="MK9 3HS", page=page, per_page=10))
        seen += [(h.kind, h.pk) for h in results.hits]
    assert len(seen) == 25 and len(set(seen)) == 25


def test_counts_by_distance_count_only_the_records_listed(client):
    OrganisationFactory(name="Mentor hub", postcode="MK9 3HS")
    for n in range(3):
        PersonFactory(name=f"Mentor {n}")  # people have no place
    results = search(Params(near="MK9 3HS"))
    assert results.total == 1 and results.facets["type"] == {"organisation": 1}
    page = client.get("/search/", {"near": "MK9 3HS"}).text
    assert "1 result with a place, nearest to MK9 3HS first" in page
    assert search(Params(q="mentor")).facets["type"] == {"organisation": 1, "person": 3}


def test_a_chosen_value_outside_the_top_twenty_keeps_its_box(client):
    # 22 kinds in all: the facet lists the 20 commonest, and the rarest is the one chosen.
    for factory in (OrganisationFactory, PlaceFactory, ProgrammeFactory):
        for kind in factory._meta.model.Kind.values:
            factory.create_batch(1 if kind == "challenge" else 2, kind=kind)
    page = client.get("/search/", {"subkind": "challenge"}).text
    assert re.search(r'<input[^>]*name="subkind" value="challenge"[^>]*checked>', page)


def test_overlong_text_is_cut_and_a_wrong_postcode_is_named(client):
    OrganisationFactory(name="Kestrel Data")
    OrganisationFactory(name="Fintech Foundry")
    page = client.get("/search/", {"q": "kestrel " + "x" * 240}).text
    assert "Fintech Foundry" not in page  # not dropped, which would list everything
    page = client.get("/search/", {"near": "MK9 3HS, UK"}).text
    assert "We could not find the postcode “MK9 3HS, UK”." in page
