import datetime
from pathlib import Path

import pytest
import time_machine

CORPUS = Path(__file__).parent / "ics"
# Before the clocks go back on 25 October 2026, so the corpus spans a daylight-saving change.
NOW = datetime.datetime(2026, 10, 1, 12, tzinfo=datetime.UTC)


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield NOW


def corpus(name):
    return (CORPUS / name).read_bytes()


@pytest.fixture(autouse=True)
def media_in_tmp(settings, tmp_path):
    # Uploads go to throwaway folders, not the developer's var/.
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PRIVATE_ROOT = tmp_path / "private"


@pytest.fixture(autouse=True)
def feeds_on_this_machine(settings):
    # The test servers listen on 127.0.0.1, which a deployment refuses (test_bad_feeds).
    settings.FRONTDOOR_FEEDS_PRIVATE_NETWORK = True
