"""Two server processes share one index: an edit made through either is found by both."""

import json
import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.db import connection

pytestmark = pytest.mark.django_db(transaction=True)
ROOT = settings.BASE_DIR.parent


class Worker:
    def __init__(self, env):
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "frontdoor.search.tests.worker"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            env=env,
            cwd=ROOT,
        )

    def __call__(self, *command):
        self.proc.stdin.write(json.dumps(command) + "\n")
        self.proc.stdin.flush()
        line = self.proc.stdout.readline()
        assert line, "the worker process died"
        return json.loads(line)

    def close(self):
        self.proc.stdin.close()
        self.proc.wait(timeout=60)


@pytest.fixture
def worker_env(tmp_path, index_dir):
    env = {**os.environ, "FRONTDOOR_SEARCH_INDEX_DIR": str(index_dir)}
    db = connection.settings_dict
    if connection.vendor == "postgresql":
        # The workers use this test's own database; transaction=True lets them see its rows.
        env["DATABASE_URL"] = (
            f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
        )
    else:
        # The suite's SQLite database lives in memory: give the workers a file of their own.
        env.pop("DATABASE_URL", None)
        env["FRONTDOOR_DATA_DIR"] = str(tmp_path)
        subprocess.run(
            [sys.executable, "-m", "frontdoor.cli", "migrate", "-v0"],
            env=env,
            cwd=ROOT,
            check=True,
        )
    return env


def test_two_processes_see_each_others_edits(worker_env):
    a, b = Worker(worker_env), Worker(worker_env)
    try:
        assert a("search", "quokka") == [] and b("search", "quokka") == []
        assert a("create", "Quokka Labs") == "ok"
        assert b("search", "quokka") == ["Quokka Labs"]
        assert b("rename", "Quokka Labs", "Wombat Labs") == "ok"
        assert a("search", "wombat") == ["Wombat Labs"]
        assert a("search", "quokka") == []
        assert a("delete", "Wombat Labs") == "ok"
        assert b("search", "wombat") == []
    finally:
        a.close()
        b.close()
