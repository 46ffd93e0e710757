"""Freshness: every committed change reaches the index, whatever order transactions commit in,
however it was written, and after a migration that dropped the change triggers."""

import datetime
import threading

import pytest
import time_machine
from django.db import connection, transaction

from frontdoor.directory.factories import OrganisationFactory
from frontdoor.directory.models import Organisation
from frontdoor.events.factories import EventFactory
from frontdoor.search import changes
from frontdoor.search.apps import _restore_triggers
from frontdoor.search.backend import KINDS
from frontdoor.search.models import IndexState
from frontdoor.search.query import Params, search

T = datetime.datetime(2026, 10, 1, 12, tzinfo=datetime.UTC)


def names(q):
    return [h.name for h in search(Params(q=q)).hits]


def at(seconds):
    return time_machine.travel(T + datetime.timedelta(seconds=seconds), tick=False)


@pytest.mark.django_db
def test_a_change_saved_before_an_indexed_edit_is_found_when_it_shows_up():
    """What a feed sync committing late looks like from one connection: a row whose `updated`
    is older than an edit the index already holds."""
    with at(0):
        OrganisationFactory(name="Before")
        assert names("before") == ["Before"]
    with at(10):
        OrganisationFactory(name="Curator edit")
        assert names("curator") == ["Curator edit"]
    with at(2):
        EventFactory(name="Imported hackathon")
    with at(20):
        assert names("hackathon") == ["Imported hackathon"]


@pytest.mark.django_db
def test_a_queryset_update_that_leaves_updated_alone_is_found():
    org = OrganisationFactory(name="Fintech Foundry")
    assert names("foundry") == ["Fintech Foundry"]
    Organisation.objects.filter(pk=org.pk).update(name="Quokka Payments")
    assert names("quokka") == ["Quokka Payments"]
    assert names("foundry") == []


@pytest.mark.django_db
def test_triggers_a_migration_dropped_come_back_and_every_index_is_rebuilt():
    tables = {kind: model._meta.db_table for kind, model in KINDS.items()}
    generation = IndexState.current().generation
    changes.uninstall(connection, {"event": tables["event"]})
    assert changes.missing(connection, tables) == [("event", tables["event"])]
    _restore_triggers(using="default")
    assert changes.missing(connection, tables) == []
    assert IndexState.current().generation != generation


class Late(threading.Thread):
    """A transaction on a connection of its own that writes, then waits to commit."""

    def __init__(self, write):
        super().__init__()
        self.write, self.written, self.commit = write, threading.Event(), threading.Event()
        self.error = None

    def run(self):
        try:
            with transaction.atomic():
                self.write()
                self.written.set()
                assert self.commit.wait(30)
        except Exception as error:  # reported by finish(), in the test's thread
            self.error = error
            self.written.set()
        finally:
            connection.close()

    def __enter__(self):
        self.start()
        assert self.written.wait(30)
        return self

    def __exit__(self, *exc):
        self.commit.set()
        self.join(30)
        if self.error:
            raise self.error


@pytest.fixture
def postgresql():
    if connection.vendor != "postgresql":
        pytest.skip("SQLite has one writer at a time: transactions cannot commit out of order")


@pytest.mark.django_db(transaction=True)
def test_a_transaction_committing_after_a_quicker_edit_is_found(postgresql):
    with at(0):
        OrganisationFactory(name="Before")
        assert names("before") == ["Before"]
    with at(2), Late(lambda: EventFactory(name="Imported hackathon")):
        # A curator's edit commits (and is indexed) while the feed sync is still running.
        with at(10):
            OrganisationFactory(name="Curator edit")
            assert names("curator") == ["Curator edit"]
            assert names("hackathon") == []
    with at(20):
        assert names("hackathon") == ["Imported hackathon"]


@pytest.mark.django_db(transaction=True)
def test_a_deletion_committing_after_a_quicker_one_leaves_search(postgresql):
    slow = OrganisationFactory(name="Slow Lane Labs")
    quick = OrganisationFactory(name="Quick Lane Labs")
    assert sorted(names("lane")) == ["Quick Lane Labs", "Slow Lane Labs"]
    with Late(slow.delete):
        quick.delete()
        assert names("lane") == ["Slow Lane Labs"]
    assert names("lane") == []


@pytest.mark.django_db(transaction=True)
def test_an_edit_after_the_change_log_was_made_again_is_found():
    """Migrating the log away and back starts its ids again, below the index's horizon (on
    SQLite; a restored backup does the same anywhere): the index is built afresh."""
    from django.core.management import call_command

    firms = [OrganisationFactory(name=f"Firm {i}") for i in range(5)]
    assert len(names("firm")) == 5
    call_command("migrate", "search", "0002", verbosity=0)
    call_command("migrate", verbosity=0)
    firms[0].name = "Quokka Payments"
    firms[0].save()
    assert names("quokka") == ["Quokka Payments"]
