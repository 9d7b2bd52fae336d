"""The dependency audit step (.ci/audit.py) tells a finding, a clean audit and an audit that could
not be done apart; pip-audit alone reports "No known vulnerabilities found" for all but the first."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parent.parent / ".ci" / "audit.py"
CLEAN = {"name": "flask", "version": "3.1.3", "vulns": []}
VULNERABLE = {"name": "pycrypto", "version": "2.6.1", "vulns": [
    {"id": "PYSEC-2018-97", "fix_versions": [], "aliases": ["CVE-2018-6594"], "description": "weak ElGamal"}]}
SKIPPED = {"name": "werkzeug", "skip_reason": "Dependency not found on PyPI and could not be audited: werkzeug (3.1.9)"}


def audit(tmp_path, dependencies, *options) -> subprocess.CompletedProcess:
    report = tmp_path / "report.json"
    report.write_text(json.dumps({"dependencies": dependencies, "fixes": []}))
    return subprocess.run([sys.executable, str(SCRIPT), "--report", str(report), *options],
                          capture_output=True, text=True)


def test_a_known_vulnerability_fails_and_is_named(tmp_path):
    result = audit(tmp_path, [CLEAN, VULNERABLE, SKIPPED])
    assert result.returncode == 1
    assert "FAIL: known vulnerabilities" in result.stdout
    assert "pycrypto 2.6.1: PYSEC-2018-97 (fixed in: no fixed release yet)" in result.stdout


def test_every_dependency_checked_and_clean_passes(tmp_path):
    result = audit(tmp_path, [CLEAN])
    assert result.returncode == 0
    assert "OK: no known vulnerabilities." in result.stdout


@pytest.mark.parametrize(("dependencies", "warning"), [
    ([SKIPPED], "WARNING: no dependency could be audited"),
    ([CLEAN, SKIPPED], "WARNING: the packages above could not be audited"),
])
def test_an_unreachable_service_is_not_reported_as_clean(tmp_path, dependencies, warning):
    result = audit(tmp_path, dependencies)
    assert result.returncode == 0
    assert "NOT CHECKED" in result.stdout and "werkzeug" in result.stdout
    assert warning in result.stdout and "NOT a clean audit" in result.stdout
    assert "OK:" not in result.stdout

    strict = audit(tmp_path, dependencies, "--strict")
    assert strict.returncode == 2
    assert "FAIL: the audit could not be completed here" in strict.stdout


@pytest.mark.parametrize(("requirements", "resolves"), [("requirements.lock", False), ("requirements.txt", True)])
def test_the_lock_is_audited_as_pinned_without_resolving(tmp_path, requirements, resolves):
    # A stand-in pip_audit records how the script calls it and reports one clean package.
    fake = tmp_path / "pip_audit"
    fake.mkdir()
    (fake / "__init__.py").write_text("")
    (fake / "__main__.py").write_text(
        "import json, sys\n"
        f"open({str(tmp_path / 'argv.json')!r}, 'w').write(json.dumps(sys.argv[1:]))\n"
        "output = sys.argv[sys.argv.index('--output') + 1]\n"
        f"open(output, 'w').write(json.dumps({{'dependencies': [{CLEAN!r}], 'fixes': []}}))\n")
    result = subprocess.run([sys.executable, str(SCRIPT), requirements], capture_output=True, text=True,
                            env={"PYTHONPATH": str(tmp_path), "PATH": "/usr/bin:/bin"})
    assert result.returncode == 0, result.stdout + result.stderr
    arguments = json.loads((tmp_path / "argv.json").read_text())
    assert arguments[:2] == ["-r", requirements]
    assert ("--disable-pip" not in arguments) is resolves
