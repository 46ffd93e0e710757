"""Admin lists: a date drill-down at the calendar's edge is a bad address, not a 500."""

import pytest

pytestmark = pytest.mark.django_db

# Every admin list with a date_hierarchy, and the field it drills down by.
DATE_LISTS = {
    "events/event": "starts_at",
    "events/festival": "starts_on",
    "events/feedsync": "started_at",
    "directory/organisation": "created",
    "directory/place": "created",
    "directory/programme": "created",
    "directory/person": "created",
    "directory/trial": "created",
}


@pytest.mark.parametrize("path,field", DATE_LISTS.items())
@pytest.mark.parametrize(
    "query",
    ["{f}__year=9999", "{f}__year=9999&{f}__month=12", "{f}__year=9999&{f}__month=12&{f}__day=31"],
)
def test_a_date_past_the_calendars_edge_is_a_bad_address(admin_client, path, field, query):
    url = f"/admin/{path}/"
    response = admin_client.get(f"{url}?{query.format(f=field)}")
    assert response.status_code == 302 and response["Location"] == f"{url}?e=1"


def test_the_last_day_of_the_calendar_still_lists(admin_client):
    # 31 December 9999 has a day after it only in Django's arithmetic; the 30th has one.
    query = "starts_at__year=9999&starts_at__month=12&starts_at__day=30"
    assert admin_client.get(f"/admin/events/event/?{query}").status_code == 200


def test_every_date_hierarchy_is_covered():
    from django.contrib import admin

    from frontdoor.core.admin import DateHierarchyAdmin

    with_dates = [a for a in admin.site._registry.values() if a.date_hierarchy]
    assert with_dates and all(isinstance(a, DateHierarchyAdmin) for a in with_dates)
    listed = {f"{a.model._meta.app_label}/{a.model._meta.model_name}" for a in with_dates}
    assert listed <= set(DATE_LISTS)
