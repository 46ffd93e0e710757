"""A migration that changes saved data says what it changed."""

import datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("directory", "0005_person_consent_message")]


@pytest.mark.django_db(transaction=True)
def test_an_impossible_trial_end_is_cleared_and_named(capsys):
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    Trial = executor.loader.project_state(BEFORE).apps.get_model("directory", "Trial")
    started, ended = datetime.date(2025, 6, 1), datetime.date(2020, 1, 1)
    trial = Trial.objects.create(name="Drones", slug="drones", started_on=started, ended_on=ended)
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
    said = f"Trial “Drones” (id {trial.pk}) ended 2020-01-01 before it started 2025-06-01"
    assert said in capsys.readouterr().out
    from frontdoor.directory.models import Trial

    assert Trial.objects.get().ended_on is None
