"""tools/audit.py: "could not check" is never reported as "no known vulnerabilities".

The fixtures are pip-audit 2.10's own JSON reports on this project's .venv: `unreachable.json`
from its default service on a machine where pypi.org answers 404 (every package skipped, while
pip-audit itself printed "No known vulnerabilities found" and exited 0); `clean.json` and
`vulnerable.json` from `-s osv --osv-url` pointed at the stand-in service below.
"""
from __future__ import annotations

import importlib.util
import json
import os
import shutil
import socket
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import Iterator

import pytest

from conftest import ROOT

FIXTURES = Path(__file__).parent / "fixtures" / "pip_audit"
spec = importlib.util.spec_from_file_location("tools_audit", ROOT / "tools" / "audit.py")
audit = sys.modules["tools_audit"] = importlib.util.module_from_spec(spec)   # dataclasses look it up
spec.loader.exec_module(audit)


def report(name: str) -> dict:
    return json.loads((FIXTURES / name).read_text())


def test_every_package_skipped_is_could_not_check() -> None:
    verdict = audit.judge(report("unreachable.json"))
    assert verdict.status == audit.UNCHECKED == 2
    assert len(verdict.skipped) == 58 and verdict.checked == [] and verdict.editable == ["tutor"]
    assert "COULD NOT CHECK 58 of 58 packages: this is not a pass" in verdict.report()
    assert "no known vulnerabilities" not in verdict.report().lower()


def test_one_package_skipped_among_checked_ones_is_still_could_not_check() -> None:
    mixed = report("clean.json")
    skipped = next(d for d in report("unreachable.json")["dependencies"] if d["name"] == "flask")
    mixed["dependencies"] = [skipped if d["name"] == "flask" else d for d in mixed["dependencies"]]
    verdict = audit.judge(mixed)
    assert verdict.status == audit.UNCHECKED
    assert verdict.skipped == ["flask: Dependency not found on PyPI and could not be audited: flask (3.1.3)"]
    assert "COULD NOT CHECK 1 of 58 packages" in verdict.report()


def test_every_package_checked_and_none_vulnerable_passes() -> None:
    verdict = audit.judge(report("clean.json"))
    assert verdict.status == audit.CLEAN == 0 and len(verdict.checked) == 58 and not verdict.skipped
    assert "OK: no known vulnerabilities in 58 packages, every one checked" in verdict.report()


def test_a_known_vulnerability_fails() -> None:
    verdict = audit.judge(report("vulnerable.json"))
    assert verdict.status == audit.VULNERABLE == 1
    assert verdict.vulnerable == ["flask 3.1.3: TEST-0001 (fix: 999)"]


def test_an_empty_report_is_not_a_pass() -> None:
    assert audit.judge({"dependencies": [], "fixes": []}).status == audit.UNCHECKED


# The whole script, with the real pip-audit, against a stand-in OSV service on 127.0.0.1.
PIP_AUDIT = os.environ.get("TUTOR_TEST_PIP_AUDIT") or shutil.which("pip-audit")


class StandInOSV(BaseHTTPRequestHandler):
    vulnerable = "flask"

    def do_POST(self) -> None:
        query = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        name = query["package"]["name"]
        body = {"vulns": [{"id": "TEST-0001", "summary": "made up for the test", "affected": [
            {"package": {"name": name, "ecosystem": "PyPI"},
             "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "999"}]}]}]}]} \
            if name == self.vulnerable else {}
        data = json.dumps(body).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def osv() -> Iterator[tuple[str, type[StandInOSV]]]:
    handler = type("Handler", (StandInOSV,), {})
    server = HTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}/v1/query", handler
    server.shutdown()


def run_script(osv_url: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(ROOT / "tools" / "audit.py"), "--pip-audit", PIP_AUDIT,
                           "--", "-s", "osv", "--osv-url", osv_url], capture_output=True, text=True, timeout=600)


@pytest.mark.skipif(not PIP_AUDIT, reason="pip-audit is not installed (set TUTOR_TEST_PIP_AUDIT to its path)")
def test_the_script_with_pip_audit(osv) -> None:
    url, handler = osv
    found = run_script(url)
    assert found.returncode == 1 and "VULNERABLE: flask" in found.stdout, found.stdout + found.stderr
    handler.vulnerable = ""
    clean = run_script(url)
    assert clean.returncode == 0 and "OK: no known vulnerabilities" in clean.stdout, clean.stdout + clean.stderr
    with socket.socket() as closed:           # a port nobody listens on: the service is down
        closed.bind(("127.0.0.1", 0))
        down = run_script(f"http://127.0.0.1:{closed.getsockname()[1]}/v1/query")
    assert down.returncode == 2 and "COULD NOT CHECK" in down.stdout, down.stdout + down.stderr
