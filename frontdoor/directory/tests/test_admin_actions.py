"""The admin's bulk actions: only for staff who may change records, and never around a rule."""

import pytest
from django.contrib.auth.models import Permission, User

from frontdoor.core.models import PublicationState
from frontdoor.directory.factories import OrganisationFactory, PersonFactory

pytestmark = pytest.mark.django_db


def publish(client, url, pk):
    return client.post(url, {"action": "publish", "_selected_action": [pk], "index": 0})


def test_staff_who_may_only_view_cannot_publish(client):
    draft = OrganisationFactory(name="Not Ready", state=PublicationState.DRAFT)
    viewer = User.objects.create_user("viewer", password="x", is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_organisation"))
    client.force_login(viewer)
    publish(client, "/admin/directory/organisation/", draft.pk)
    draft.refresh_from_db()
    assert draft.state == PublicationState.DRAFT


def test_people_without_recorded_consent_are_held_back_with_a_message(admin_client):
    held = PersonFactory(state=PublicationState.DRAFT, consent_recorded_at=None)
    response = publish(admin_client, "/admin/directory/person/", held.pk)
    assert response.status_code == 302
    held.refresh_from_db()
    assert held.state == PublicationState.DRAFT
    page = admin_client.get(response.url).content.decode()
    assert "1 record(s) not published: a person is listed only once their consent" in page
