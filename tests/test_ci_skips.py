"""The CI rule on skips, run on a tiny test file in a pytest of its own: under CI=true an
unlisted skip fails the run and says which test and why; a skip listed for this run's database
passes; outside CI a skip is only reported."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

TESTS = '''
import pytest

def test_runs():
    pass

def test_needs_a_server():
    pytest.skip("no server here")

@pytest.mark.parametrize("n", [1, 2])
def test_each(n):
    pytest.skip("not on this database")

@pytest.mark.xfail(reason="known")
def test_known_bug():
    assert False
'''


def run(tmp_path: Path, *, ci: bool, allowed: str | None = None, database: str = "") -> subprocess.CompletedProcess:
    (tmp_path / "pytest.ini").write_text("[pytest]\n")
    (tmp_path / "tests").mkdir(exist_ok=True)
    (tmp_path / "tests" / "conftest.py").write_text(
        "from tests.ci_skips import pytest_runtest_logreport, pytest_sessionfinish, pytest_sessionstart, "
        "pytest_terminal_summary  # noqa: F401\n")
    (tmp_path / "tests" / "test_sample.py").write_text(TESTS)
    if allowed is not None:
        (tmp_path / "tests" / "ALLOWED_SKIPS").write_text(allowed)
    env = {key: value for key, value in os.environ.items() if key not in {"CI", "TEST_DATABASE_URL"}}
    env["PYTHONPATH"] = str(ROOT)  # the plugin comes from this project; the tests from the tiny one
    if ci:
        env["CI"] = "true"
    if database:
        env["TEST_DATABASE_URL"] = database
    return subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests"],
                          cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)


def test_in_ci_an_unlisted_skip_fails_the_run_and_names_the_test(tmp_path):
    result = run(tmp_path, ci=True)
    assert result.returncode == pytest.ExitCode.TESTS_FAILED, result.stdout
    assert "skipped in CI without being listed" in result.stdout
    assert "tests/test_sample.py::test_needs_a_server: Skipped: no server here" in result.stdout
    assert "tests/test_sample.py::test_each[1]" in result.stdout
    assert "test_known_bug" not in result.stdout.split("skipped in CI without being listed")[1]  # xfail is no skip


def test_in_ci_skips_listed_for_this_database_pass(tmp_path):
    allowed = ("# database  test  reason\n"
               "sqlite  tests/test_sample.py::test_needs_a_server  the server is not part of the embedded setup\n"
               "any  tests/test_sample.py::test_each  every parameter: not on this database\n")
    result = run(tmp_path, ci=True, allowed=allowed)
    assert result.returncode == pytest.ExitCode.OK, result.stdout
    assert "3 skipped" in result.stdout and "without being listed" not in result.stdout


def test_in_ci_a_skip_listed_for_the_other_database_fails(tmp_path):
    allowed = ("sqlite  tests/test_sample.py::test_needs_a_server  only on SQLite\n"
               "any  tests/test_sample.py::test_each  not on this database\n")
    result = run(tmp_path, ci=True, allowed=allowed, database="postgresql://postgres@127.0.0.1:5432/none")
    assert result.returncode == pytest.ExitCode.TESTS_FAILED, result.stdout
    assert "tests/test_sample.py::test_needs_a_server: Skipped: no server here" in result.stdout
    assert "test_each" not in result.stdout.split("skipped in CI without being listed")[1]


def test_outside_ci_skips_are_only_reported(tmp_path):
    result = run(tmp_path, ci=False)
    assert result.returncode == pytest.ExitCode.OK, result.stdout
    assert "3 skipped" in result.stdout and "without being listed" not in result.stdout


def test_a_malformed_line_in_the_list_is_refused(tmp_path):
    result = run(tmp_path, ci=True, allowed="tests/test_sample.py::test_needs_a_server no database named\n")
    assert result.returncode == pytest.ExitCode.USAGE_ERROR
    assert "ALLOWED_SKIPS:1: expected" in result.stderr + result.stdout
