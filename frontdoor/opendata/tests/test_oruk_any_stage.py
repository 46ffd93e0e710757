"""A programme with no stages is open to any stage: Open Referral's stage filter finds it for
every stage, as the programmes page and the API do, so a pre-seed founder sees it too."""

import pytest

from frontdoor.directory.models import Stage
from frontdoor.opendata.oruk import hsds_id

pytestmark = pytest.mark.django_db


def site_names(client, stage):
    answer = client.get(f"/api/v1/programmes?stage={stage}&per_page=100").json()
    return sorted(p["name"] for p in answer["results"])


def oruk_names(client, path, stage):
    term = hsds_id("term-stage", Stage.objects.get(slug=stage).pk)
    answer = client.get(f"/openreferral/{path}?taxonomy_term_id={term}&per_page=200")
    assert answer.status_code == 200
    contents = answer.json()["contents"]
    if path == "service_at_locations":
        contents = [
            client.get(f"/openreferral/services/{sal['service_id']}").json() for sal in contents
        ]
    return sorted(s["name"] for s in contents)


def test_services_by_stage_are_the_programmes_pages_answer(client, records):
    # "AI Seed Grant" is for seed firms; "Fintech Mentoring" names no stage, so any stage.
    pre_seed, seed = (
        oruk_names(client, "services", "pre-seed"),
        oruk_names(client, "services", "seed"),
    )
    assert "Fintech Mentoring" in pre_seed and "AI Seed Grant" not in pre_seed
    assert "Fintech Mentoring" in seed and "AI Seed Grant" in seed
    for stage in Stage.objects.values_list("slug", flat=True):
        assert oruk_names(client, "services", stage) == site_names(client, stage), stage


def test_services_at_locations_by_stage_include_those_open_to_any_stage(client, records):
    # Both providers have an address, so both programmes have a service_at_location.
    assert oruk_names(client, "service_at_locations", "pre-seed") == ["Fintech Mentoring"]
    assert oruk_names(client, "service_at_locations", "seed") == [
        "AI Seed Grant",
        "Fintech Mentoring",
    ]
