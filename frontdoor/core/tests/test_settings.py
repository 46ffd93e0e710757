"""Production settings are secure and fail fast; every variable is documented."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
CLEAN_ENV = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}


def _frontdoor(*args, env):
    return subprocess.run(
        [sys.executable, "-m", "frontdoor.cli", *args],
        cwd=ROOT,
        env={**CLEAN_ENV, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_every_setting_is_documented():
    source = (ROOT / "frontdoor" / "settings.py").read_text()
    names = set(re.findall(r'env(?:_flag)?\("([A-Z_]+)"', source))
    docs = (ROOT / "docs" / "configuration.md").read_text()
    assert names, "no variables found: the pattern above is out of date"
    assert sorted(n for n in names if f"`{n}`" not in docs) == []


@pytest.mark.parametrize("proxy_redirects", [False, True])
def test_production_settings_pass_the_deploy_check(tmp_path, proxy_redirects):
    env = {
        "FRONTDOOR_PRODUCTION": "1",
        "FRONTDOOR_SECRET_KEY": "x" * 20 + "a-long-and-random-enough-secret-key-value",
        "FRONTDOOR_ALLOWED_HOSTS": "tech.example.org",
        "FRONTDOOR_DATA_DIR": str(tmp_path),
    }
    if proxy_redirects:  # as docs/configuration.md says for a proxy that already redirects
        env["FRONTDOOR_SSL_REDIRECT"] = "0"
    result = _frontdoor("check", "--deploy", "--fail-level", "WARNING", env=env)
    assert result.returncode == 0, result.stderr + result.stdout


def test_production_refuses_to_start_without_a_secret(tmp_path):
    result = _frontdoor(
        "check",
        env={
            "FRONTDOOR_PRODUCTION": "1",
            "FRONTDOOR_SECRET_KEY": "",
            "FRONTDOOR_ALLOWED_HOSTS": "tech.example.org",
            "FRONTDOOR_DATA_DIR": str(tmp_path),
        },
    )
    assert result.returncode != 0
    assert "FRONTDOOR_SECRET_KEY must be set" in result.stderr


def test_the_suite_runs_on_the_database_it_was_given():
    from django.db import connection

    on_postgres = os.environ.get("DATABASE_URL", "").startswith("postgres")
    assert connection.vendor == ("postgresql" if on_postgres else "sqlite")
