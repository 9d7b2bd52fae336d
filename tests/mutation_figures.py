"""Per-module figures of the last `make mutation` run, for tests/MUTANTS.md: killed (a test
failed, or the mutant hung past its time limit) out of all mutants, survivors, mutants no test
reaches, and those not run yet. Reads mutmut's result files under mutants/.

    .venv/bin/python -m tests.mutation_figures [contest/results/ranking.py ...]
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

from mutmut.stats import status_by_exit_code

KILLED = {"killed", "timeout"}


def figures(module: Path) -> str:
    meta = Path("mutants") / f"{module}.meta"
    if not meta.exists():
        return f"{module}: not run"
    statuses = Counter(status_by_exit_code[code] for code in json.loads(meta.read_text())["exit_code_by_key"].values())
    total = sum(statuses.values())
    if statuses["not checked"] == total:
        return f"{module}: not run ({total} mutants)"
    killed = sum(statuses[status] for status in KILLED)
    line = f"{module}: {killed} / {total} killed ({100 * killed / total:.1f} %)"
    others = {status: count for status, count in statuses.items() if status not in KILLED and count}
    return line + "".join(f", {count} {status}" for status, count in sorted(others.items()))


def main(modules: list[str]) -> None:
    if not modules:
        import tomllib

        modules = tomllib.loads(Path("pyproject.toml").read_text())["tool"]["mutmut"]["only_mutate"]
    for module in modules:
        print(figures(Path(module)))


if __name__ == "__main__":
    main(sys.argv[1:])
