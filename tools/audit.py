#!/usr/bin/env python3
"""Audit the app's installed packages with pip-audit, telling "could not check" from "no known
vulnerabilities".

pip-audit prints "No known vulnerabilities found" and exits 0 even when it reached no
vulnerability database and skipped every package ("Dependency not found on PyPI and could not be
audited"); with --strict it exits 1 for that, the same as for a vulnerability, and writes no
report. This script runs pip-audit with a JSON report and judges the report itself:

    python3 tools/audit.py [--pip-audit PATH] [--venv .venv] [-- more pip-audit options]

Exit status: 0 every package was checked and none has a known vulnerability; 1 known
vulnerabilities (listed); 2 could not check (packages skipped, or pip-audit failed). The app's
own package, installed editable, is left out on purpose (it is not on PyPI).
"""
from __future__ import annotations

import argparse
import json
import shutil
import subprocess  # nosec B404: fixed argument list, no shell
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CLEAN, VULNERABLE, UNCHECKED = 0, 1, 2


@dataclass
class Verdict:
    status: int
    checked: list[str] = field(default_factory=list)
    vulnerable: list[str] = field(default_factory=list)     # "name version: ID (fix: …)"
    skipped: list[str] = field(default_factory=list)        # "name: reason"
    editable: list[str] = field(default_factory=list)
    failure: str = ""

    def report(self) -> str:
        lines = [f"VULNERABLE: {line}" for line in self.vulnerable]
        lines += [f"NOT CHECKED: {line}" for line in self.skipped]
        if self.failure:
            lines.append(f"pip-audit failed: {self.failure}")
        if self.status == CLEAN:
            lines.append(f"OK: no known vulnerabilities in {len(self.checked)} packages, every one checked")
        elif self.status == VULNERABLE:
            lines.append(f"FAILED: {len(self.vulnerable)} known vulnerabilities")
        if self.failure or not (self.checked or self.skipped):
            lines.append("COULD NOT CHECK: pip-audit reported on no package; this is not a pass")
        elif self.skipped:
            lines.append(f"COULD NOT CHECK {len(self.skipped)} of {len(self.checked) + len(self.skipped)}"
                         " packages: this is not a pass (is the vulnerability service reachable?)")
        if self.editable:
            lines.append(f"left out, editable (our own code): {', '.join(self.editable)}")
        return "\n".join(lines)


def judge(report: dict) -> Verdict:
    """The verdict on one pip-audit JSON report (`pip-audit -f json`)."""
    verdict = Verdict(CLEAN)
    for dependency in report.get("dependencies", []):
        name = dependency.get("name", "?")
        reason = dependency.get("skip_reason")
        if reason is not None:
            (verdict.editable if "editable" in reason else verdict.skipped).append(
                name if "editable" in reason else f"{name}: {reason}")
            continue
        verdict.checked.append(name)
        for vuln in dependency.get("vulns", []):
            fixes = ", ".join(vuln.get("fix_versions", [])) or "none yet"
            verdict.vulnerable.append(f"{name} {dependency.get('version', '?')}: {vuln.get('id')} (fix: {fixes})")
    if verdict.vulnerable:
        verdict.status = VULNERABLE
    elif verdict.skipped or not verdict.checked:
        verdict.status = UNCHECKED
    return verdict


def site_packages(venv: Path) -> Path:
    found = sorted(venv.glob("lib/python3*/site-packages"))
    if not found:
        raise SystemExit(f"no site-packages under {venv}")
    return found[-1]


def audit(pip_audit: str, venv: Path, extra: list[str]) -> Verdict:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "report.json"
        command = [pip_audit, "--path", str(site_packages(venv)), "--skip-editable", "--progress-spinner", "off",
                   "--format", "json", "--output", str(out), *extra]
        done = subprocess.run(command, capture_output=True, text=True)  # nosec B603
        text = out.read_text() if out.exists() else ""
    if not text.strip():
        # e.g. the OSV service's name does not resolve: pip-audit ends in a traceback, no report
        tail = (done.stderr.strip().splitlines() or [f"exit status {done.returncode}, no report"])[-1]
        return Verdict(UNCHECKED, failure=tail)
    return judge(json.loads(text))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pip-audit", default=shutil.which("pip-audit") or "pip-audit",
                        help="the pip-audit program (default: the one on PATH)")
    parser.add_argument("--venv", type=Path, default=ROOT / ".venv", help="the environment to audit")
    parser.add_argument("extra", nargs="*", help="options passed on to pip-audit, after --")
    args = parser.parse_args()
    verdict = audit(args.pip_audit, args.venv, args.extra)
    print(verdict.report())
    sys.exit(verdict.status)


if __name__ == "__main__":
    main()
