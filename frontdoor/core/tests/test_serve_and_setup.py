"""`frontdoor serve` as a public site runs it (behind an HTTPS proxy), and set-up mistakes
answered in one line: each test runs the real command in its own process."""

import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager

import pytest

PRODUCTION = {
    "FRONTDOOR_PRODUCTION": "1",
    "FRONTDOOR_SECRET_KEY": secrets.token_urlsafe(50),
    "FRONTDOOR_ALLOWED_HOSTS": "tech.example.org",
}


def frontdoor(*args, env, **kwargs):
    command = [sys.executable, "-m", "frontdoor.cli", *args]
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=120, **kwargs)


@pytest.fixture
def data_env(tmp_path):
    # A database of its own, whatever the test run uses.
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    return env | {"FRONTDOOR_DATA_DIR": str(tmp_path)}


@contextmanager
def serving(env, *args):
    """`frontdoor serve` in its own process, stopped afterwards."""
    command = [sys.executable, "-m", "frontdoor.cli", "serve", *args]
    server = subprocess.Popen(
        command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        yield server
    finally:
        server.terminate()
        server.wait(timeout=30)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(port, headers):
    """Status and headers of GET / (redirects not followed)."""

    class Keep(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    request = urllib.request.Request(f"http://127.0.0.1:{port}/", headers=headers)
    try:
        with urllib.request.build_opener(Keep).open(request, timeout=30) as response:
            return response.status, response.headers
    except urllib.error.HTTPError as error:
        return error.code, error.headers


def test_behind_an_https_proxy_the_site_answers_as_https(data_env):
    env = data_env | PRODUCTION | {"FRONTDOOR_TRUSTED_PROXIES": "1"}
    assert frontdoor("migrate", "-v0", env=env).returncode == 0
    port = free_port()
    with serving(env, "--port", str(port)) as server:
        assert "is at http://127.0.0.1:" in server.stdout.readline()
        # What nginx in front sends after ending HTTPS.
        proxied = {"Host": "tech.example.org", "X-Forwarded-Proto": "https"}
        for _ in range(50):
            try:
                status, headers = get(port, proxied)
                break
            except OSError:
                time.sleep(0.2)
        assert status == 200
        assert "max-age=" in headers["Strict-Transport-Security"]
        # Plain http straight to the server is sent to https, once.
        status, headers = get(port, {"Host": "tech.example.org"})
        assert status == 301 and headers["Location"] == "https://tech.example.org/"


def test_serve_refuses_a_database_that_was_never_migrated(data_env):
    result = frontdoor("serve", "--port", str(free_port()), env=data_env)
    assert result.returncode == 1
    assert "run `frontdoor migrate` first" in result.stderr


@pytest.mark.parametrize(
    ("setting", "value", "message"),
    [
        ("FRONTDOOR_HSTS_SECONDS", "1y", "FRONTDOOR_HSTS_SECONDS must be a whole number"),
        ("FRONTDOOR_TRUSTED_PROXIES", "yes", "FRONTDOOR_TRUSTED_PROXIES must be a whole number"),
        ("FRONTDOOR_TRUSTED_PROXIES", "²", "FRONTDOOR_TRUSTED_PROXIES must be a whole number"),
        ("DATABASE_URL", "localhost:5432/frontdoor", "DATABASE_URL is not a database address"),
        ("FRONTDOOR_TIME_ZONE", "London", "FRONTDOOR_TIME_ZONE must be a time zone name"),
        ("FRONTDOOR_API_RATE", "300 per minute", "FRONTDOOR_API_RATE must read like 300/minute"),
        ("FRONTDOOR_SECRET_KEY", "", "FRONTDOOR_SECRET_KEY must be set"),
    ],
)
def test_a_setting_mistake_is_one_clear_line(data_env, setting, value, message):
    result = frontdoor("check", env=data_env | PRODUCTION | {setting: value})
    assert result.returncode == 1
    assert result.stderr.startswith(f"frontdoor: {message}")
    assert "Traceback" not in result.stderr


def test_a_command_on_a_database_never_migrated_says_to_migrate(data_env):
    result = frontdoor("sync", env=data_env)
    assert result.returncode == 1
    assert "no such table" in result.stderr and "frontdoor migrate" in result.stderr
    assert "Traceback" not in result.stderr


def test_serving_other_machines_without_their_host_names_warns(data_env):
    assert frontdoor("migrate", "-v0", env=data_env).returncode == 0
    with serving(data_env, "--host", "0.0.0.0", "--port", str(free_port())) as server:
        assert "Set FRONTDOOR_ALLOWED_HOSTS" in server.stderr.readline()
        assert "is at http://127.0.0.1:" in server.stdout.readline()


def test_branding_colours_from_the_environment_are_checked(data_env):
    env = data_env | {"FRONTDOOR_PRIMARY_COLOUR": "#767676", "FRONTDOOR_ACCENT_COLOUR": "red"}
    result = frontdoor("check", env=env)
    assert "FRONTDOOR_PRIMARY_COLOUR #767676 is too light" in result.stderr
    assert "FRONTDOOR_ACCENT_COLOUR “red” is not a #rrggbb colour" in result.stderr
    assert "no issues" in frontdoor("check", env=data_env).stdout


@pytest.mark.parametrize("where", ["a file", "inside a file", "a key that is a folder"])
def test_an_unusable_data_directory_is_one_clear_line(tmp_path, data_env, where):
    (tmp_path / "afile").write_text("")
    (tmp_path / "keyed" / "secret_key").mkdir(parents=True)
    folder = {
        "a file": tmp_path / "afile",
        "inside a file": tmp_path / "afile" / "var",
        "a key that is a folder": tmp_path / "keyed",
    }[where]
    result = frontdoor("check", env=data_env | {"FRONTDOOR_DATA_DIR": str(folder)})
    assert result.returncode == 1
    assert result.stderr.startswith(f"frontdoor: FRONTDOOR_DATA_DIR {folder} cannot be used")
    assert "Traceback" not in result.stderr


def test_ctrl_c_stops_a_command_with_one_line(data_env):
    result = frontdoor("shell", "-c", "raise KeyboardInterrupt", env=data_env)
    assert result.stderr == "frontdoor: stopped.\n"  # not a traceback
    # 130 (128 + SIGINT); Python ends by SIGINT itself when exec'd code was interrupted.
    assert result.returncode in (130, -signal.SIGINT)


@pytest.mark.parametrize("threads", ["0", "-2"])
def test_serve_refuses_no_threads(data_env, threads):
    # Waitress would start, say the site is up, and answer nobody.
    assert frontdoor("migrate", "-v0", env=data_env).returncode == 0
    result = frontdoor("serve", "--threads", threads, "--port", str(free_port()), env=data_env)
    assert result.returncode == 1
    assert f"--threads must be at least 1, not {threads}" in result.stderr
