"""No silent skips in CI: under `CI=true`, a skipped test fails the run unless tests/ALLOWED_SKIPS
lists it, for the database of this run, with the reason it may skip there.

Each line of the list: the database (`sqlite`, `postgresql` or `any`), the test's id as pytest
prints it (without the `[parameters]`, the line covers every parameter) and the reason. A line
starting with `#` is a comment. The hooks are registered by tests/conftest.py."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

LIST_NAME = "tests/ALLOWED_SKIPS"


def database_of_run() -> str:
    url = os.environ.get("TEST_DATABASE_URL", "")
    return "postgresql" if url.startswith("postgres") else "sqlite"


def allowed_skips(root: Path, database: str) -> dict[str, str]:
    """Test id → reason, for the skips allowed on `database`."""
    path = root / LIST_NAME
    allowed: dict[str, str] = {}
    if not path.exists():
        return allowed
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        parts = line.split(maxsplit=2)
        if len(parts) < 3 or parts[0] not in {"sqlite", "postgresql", "any"}:
            raise pytest.UsageError(f"{path}:{number}: expected 'sqlite|postgresql|any  test-id  reason'")
        where, test_id, reason = parts
        if where in {database, "any"}:
            allowed[test_id] = reason
    return allowed


def _is_listed(node_id: str, allowed: dict[str, str]) -> bool:
    return node_id in allowed or node_id.split("[", 1)[0] in allowed


def _in_ci() -> bool:
    return os.environ.get("CI", "").lower() in {"true", "1", "yes"}


class _Run:
    """What this run allows, and the skips it found that are not allowed."""
    allowed: dict[str, str] = {}
    unlisted: list[str] = []


def pytest_sessionstart(session: pytest.Session) -> None:
    _Run.allowed = allowed_skips(session.config.rootpath, database_of_run())
    _Run.unlisted = []


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if not report.skipped or hasattr(report, "wasxfail") or not _in_ci():
        return
    if not _is_listed(report.nodeid, _Run.allowed):
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
        _Run.unlisted.append(f"{report.nodeid}: {reason}")


def pytest_terminal_summary(terminalreporter, exitstatus: int, config: pytest.Config) -> None:
    if _Run.unlisted:
        terminalreporter.section("skipped in CI without being listed", red=True)
        terminalreporter.line(f"List each in {LIST_NAME} for {database_of_run()} with its reason, or make it run:")
        for line in _Run.unlisted:
            terminalreporter.line(f"  {line}")


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if _Run.unlisted and exitstatus == pytest.ExitCode.OK:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
