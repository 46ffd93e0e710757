import subprocess
import sys

import pytest


def _run(*args):
    return subprocess.run(
        [sys.executable, "-m", "frontdoor.cli", *args], capture_output=True, text=True, timeout=120
    )


def test_top_level_help_names_the_main_commands():
    result = _run("--help")
    assert result.returncode == 0
    for command in ("demo", "serve", "generate", "sync", "search", "insights"):
        assert f"  {command}" in result.stdout


@pytest.mark.parametrize(
    "command, option",
    [("demo", "--no-serve"), ("serve", "--port"), ("generate", "--organisations")],
)
def test_each_command_has_help(command, option):
    result = _run(command, "--help")
    assert result.returncode == 0, result.stderr
    assert option in result.stdout
