"""The lock files that every install reads pin what requirements*.txt ask for, each with hashes.

`make lock-check` (CI) recompiles the locks against PyPI; these checks need no network and say
which package is missing or out of its series when someone edits a requirements file by hand."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s\\;]+)")


def requested(path: Path) -> list[Requirement]:
    """The requirements a file names itself (not those it includes with -r)."""
    lines = (line.split("#", 1)[0].strip() for line in path.read_text().splitlines())
    return [Requirement(line) for line in lines if line and not line.startswith("-")]


def pins(path: Path) -> dict[str, tuple[str, int]]:
    """Package -> (pinned version, number of hashes) as the lock file lists them."""
    locked: dict[str, tuple[str, int]] = {}
    current = None
    for line in path.read_text().splitlines():
        match = PIN.match(line)
        if match:
            current = canonicalize_name(match.group(1))
            locked[current] = (match.group(2), 0)
        elif current is not None and "--hash=sha256:" in line:
            version, hashes = locked[current]
            locked[current] = (version, hashes + 1)
    return locked


@pytest.mark.parametrize(("inputs", "lock"), [
    (["requirements.txt"], "requirements.lock"),
    (["requirements.txt", "requirements-dev.txt"], "requirements-dev.lock"),
])
def test_each_requirement_is_pinned_within_its_series_with_hashes(inputs, lock):
    locked = pins(ROOT / lock)
    for name in inputs:
        for requirement in requested(ROOT / name):
            key = canonicalize_name(requirement.name)
            assert key in locked, f"{requirement.name} ({name}) is not in {lock}: run make lock"
            version, _hashes = locked[key]
            assert requirement.specifier.contains(version, prereleases=True), \
                f"{lock} pins {requirement.name}=={version}, outside {requirement.specifier} ({name}): run make lock"
    unhashed = sorted(package for package, (_version, hashes) in locked.items() if hashes == 0)
    assert not unhashed, f"pinned without a hash in {lock}: {unhashed}"


def test_the_dev_lock_installs_the_runtime_versions():
    runtime, dev = pins(ROOT / "requirements.lock"), pins(ROOT / "requirements-dev.lock")
    differing = {name: (version, dev.get(name, ("missing",))[0])
                 for name, (version, _hashes) in runtime.items() if dev.get(name, ("",))[0] != version}
    assert not differing, f"runtime -> dev lock versions differ: {differing}"


def test_installs_read_the_locks_and_check_hashes():
    makefile = (ROOT / "Makefile").read_text()
    assert "pip install -q --require-hashes -r requirements.lock" in makefile
    assert "pip install -q --require-hashes -r requirements-dev.lock" in makefile
    assert not re.search(r"pip install[^\n]*-r requirements(-dev)?\.txt", makefile)
