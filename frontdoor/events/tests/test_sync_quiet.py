"""`frontdoor sync -v0`, as cron runs it: silent unless a feed failed, so cron mails only
then (cron mails whatever a job prints)."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from frontdoor.events.factories import FeedFactory
from frontdoor.events.tests.conftest import corpus

pytestmark = pytest.mark.django_db


def test_sync_v0_prints_failed_feeds_only(httpserver, frozen):
    httpserver.expect_request("/calendar.ics").respond_with_data(corpus("apple.ics"))
    FeedFactory(name="Good feed", url=httpserver.url_for("/calendar.ics"))
    out = StringIO()
    call_command("sync", verbosity=0, stdout=out, stderr=StringIO())
    assert out.getvalue() == ""

    httpserver.expect_request("/missing.ics").respond_with_data("Not found", status=404)
    FeedFactory(name="Bad feed", url=httpserver.url_for("/missing.ics"))
    with pytest.raises(CommandError, match="1 of 1 feed"):
        call_command("sync", verbosity=0, stdout=out, stderr=StringIO())
    assert out.getvalue().startswith("Bad feed: Failed")
    assert "Good feed" not in out.getvalue() and "Synced" not in out.getvalue()
