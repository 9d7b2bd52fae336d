"""Audit the runtime dependencies for known vulnerabilities (pip-audit over requirements.txt).

    python .ci/audit.py [requirements.txt] [--strict]   # runs pip-audit
    python .ci/audit.py --report pip-audit.json          # reads a report pip-audit wrote

pip-audit alone says "No known vulnerabilities found" and exits 0 when it could not look a single
package up (its vulnerability service unreachable, or a PyPI mirror without the per-release JSON
it asks for): a pass that checked nothing. This script reads pip-audit's JSON report and tells
the three outcomes apart:
  exit 0  every dependency was checked and none has a known vulnerability;
  exit 1  known vulnerabilities (each listed with its fix versions);
  exit 2  some dependencies could not be checked (listed): a failure with --strict, otherwise a
          loud warning and exit 0, so that CI on a machine without the service still runs.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

NOT_CHECKED = 2


def run_pip_audit(requirements: str) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        report = Path(tmp) / "audit.json"
        command = [sys.executable, "-m", "pip_audit", "-r", requirements, "--format", "json",
                   "--progress-spinner", "off", "--output", str(report)]
        if requirements.endswith(".lock"):
            command.append("--disable-pip")  # every package pinned with hashes: nothing to resolve
        # Exit 1 means "vulnerabilities found" and still writes the report; anything else without
        # a report is pip-audit itself failing (resolution, network), shown as it is.
        completed = subprocess.run(command, text=True, capture_output=True)
        if not report.exists():
            sys.stderr.write(completed.stdout + completed.stderr)
            raise SystemExit(f"pip-audit failed (exit {completed.returncode}) before writing a report.")
        return json.loads(report.read_text())


def summarise(report: dict, *, strict: bool) -> int:
    dependencies = report.get("dependencies", [])
    vulnerable = [dep for dep in dependencies if dep.get("vulns")]
    skipped = [dep for dep in dependencies if "skip_reason" in dep]
    checked = len(dependencies) - len(skipped)
    print(f"pip-audit: {len(dependencies)} dependencies, {checked} checked, {len(skipped)} not checked, "
          f"{len(vulnerable)} with known vulnerabilities.")
    if vulnerable:
        print("FAIL: known vulnerabilities:")
        for dep in vulnerable:
            for vuln in dep["vulns"]:
                fixes = ", ".join(vuln.get("fix_versions", [])) or "no fixed release yet"
                print(f"  {dep['name']} {dep['version']}: {vuln['id']} (fixed in: {fixes})")
        return 1
    if skipped:
        print("NOT CHECKED: the vulnerability database could not be asked about these (this is not a "
              "finding of vulnerabilities; the packages were not audited at all):")
        for dep in skipped:
            print(f"  {dep['name']}: {dep['skip_reason']}")
        if strict:
            print("FAIL: the audit could not be completed here. Run it where pip-audit's service "
                  "(PyPI's per-release JSON, or OSV) is reachable.")
            return NOT_CHECKED
        what = "the packages above could not be audited" if checked else "no dependency could be audited"
        print(f"WARNING: {what}: this run is NOT a clean audit (use --strict to make it fail).")
        return 0
    print("OK: no known vulnerabilities.")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("requirements", nargs="?", default="requirements.txt")
    parser.add_argument("--strict", action="store_true", help="fail when a dependency could not be checked")
    parser.add_argument("--report", help="read this pip-audit JSON report instead of running pip-audit")
    arguments = parser.parse_args()
    report = json.loads(Path(arguments.report).read_text()) if arguments.report else \
        run_pip_audit(arguments.requirements)
    return summarise(report, strict=arguments.strict)


if __name__ == "__main__":
    sys.exit(main())
