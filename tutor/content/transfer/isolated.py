"""Every import, from the web page and from the CLI, runs in a child process under limits.

The parsers stop at the bounds in `limits.py`; the child is the backstop for whatever they
miss. It runs `worker.py` with an address-space and a CPU-time limit it sets on itself before
it reads a byte of the file, and the parent kills it at the wall-clock limit. The file goes in
on stdin, the result comes back as JSON of plain data on stdout (never pickle: the child has
read a hostile file). A child that passes a limit or dies gives the caller a problem, not an
exception: "文件过大或过于复杂，无法导入（…）".
"""
from __future__ import annotations

import base64
import json
import logging
import signal
import subprocess  # nosec B404 - runs our own worker script with our own interpreter
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, Collection, Mapping

from tutor.content.transfer.common import ImportResult, Problem
from tutor.content.transfer.limits import (CHILD_CPU_SECONDS, CHILD_MEMORY_BYTES, CHILD_WALL_SECONDS, MB)

WORKER = Path(__file__).with_name("worker.py")
log = logging.getLogger("tutor.import")


@dataclass(frozen=True)
class ChildLimits:
    memory_bytes: int = CHILD_MEMORY_BYTES
    cpu_seconds: int = CHILD_CPU_SECONDS
    wall_seconds: float = CHILD_WALL_SECONDS


def import_isolated(filename: str, source: bytes | Path, *, topic: str, knowledge_point: str | None = None,
                    id_prefix: str | None = None, allowed_knowledge_points: Collection[str] | None = None,
                    topic_of: Mapping[str, str] | None = None,
                    limits: ChildLimits = ChildLimits()) -> ImportResult:
    """`import_data(filename, bytes, ...)` in a child process; `source` is the bytes or a file."""
    request = {"filename": filename, "topic": topic, "knowledge_point": knowledge_point,
               "id_prefix": id_prefix, "memory_bytes": limits.memory_bytes, "cpu_seconds": limits.cpu_seconds,
               "allowed_knowledge_points": None if allowed_knowledge_points is None
               else list(allowed_knowledge_points),
               "topic_of": None if topic_of is None else dict(topic_of)}
    with _input(source) as stdin, tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.monotonic()
        child = subprocess.Popen([sys.executable, "-I", str(WORKER), json.dumps(request)],  # nosec B603
                                 stdin=stdin, stdout=out, stderr=err, close_fds=True)
        try:
            status, timed_out = child.wait(timeout=limits.wall_seconds), False
        except subprocess.TimeoutExpired:
            child.kill()
            status, timed_out = child.wait(), True
        seconds = time.monotonic() - started
        out.seek(0)
        reply = _reply(out, status)
        err.seek(0)
        errors = err.read()[-2000:].decode("utf-8", "replace")
    result, outcome = _result(reply, status, timed_out, topic, limits)
    # The child's own peak, which it measured; a child that did not answer stayed under its limit.
    peak = int((reply or {}).get("peak_bytes") or 0) or None
    log.info("import %s: %s in %.2f s, peak %s", filename, outcome, seconds,
             f"{peak / MB:.0f} MB" if peak else f"unknown (limit {limits.memory_bytes // MB} MB)",
             extra={"import_outcome": outcome, "import_seconds": seconds, "import_peak_bytes": peak})
    if outcome not in ("ok", "time", "memory") and errors:
        log.warning("import %s: child stderr: %s", filename, errors)
    return result


def _input(source: bytes | Path) -> IO[bytes]:
    if isinstance(source, Path):
        return source.open("rb")
    spool = tempfile.TemporaryFile()
    spool.write(source)
    spool.seek(0)
    return spool


def _reply(out: IO[bytes], status: int) -> dict[str, Any] | None:
    if status != 0:
        return None
    try:
        reply = json.load(out)
    except ValueError:
        return None
    return reply if isinstance(reply, dict) else None


def _result(reply: dict[str, Any] | None, status: int, timed_out: bool, topic: str,
            limits: ChildLimits) -> tuple[ImportResult, str]:
    """The import's result, or the problem that took its place; and a word for the log."""
    if reply is not None and "result" in reply:
        return result_from_json(reply["result"]), "ok"
    failure = (reply or {}).get("failure")
    if timed_out or status in (-signal.SIGXCPU, -signal.SIGKILL):
        outcome, why = "time", f"处理时间超过 {limits.wall_seconds:g} 秒"
    elif failure == "memory":
        outcome, why = "memory", f"所需内存超过 {limits.memory_bytes // MB} MB"
    elif failure == "error":
        return ImportResult(topic, problems=[Problem("文件", f"读取文件时出错（{(reply or {}).get('error')}），没有导入；"
                                                            "请检查文件是否完整")]), "error"
    else:
        outcome, why = "crash", f"导入进程异常退出（{status}），可能是内存不足"
    return ImportResult(topic, problems=[Problem("文件", f"文件过大或过于复杂，无法导入（{why}）；"
                                                        "请把题库拆成几个较小的文件分别导入")]), outcome


def result_to_json(result: ImportResult) -> dict[str, Any]:
    return {"topic": result.topic, "questions": result.questions, "skipped": result.skipped,
            "problems": [[p.where, p.message] for p in result.problems],
            "warnings": [[p.where, p.message] for p in result.warnings],
            "topics": result.topics,
            "media": {name: base64.b64encode(data).decode("ascii") for name, data in result.media.items()}}


def result_from_json(data: dict[str, Any]) -> ImportResult:
    return ImportResult(str(data["topic"]), list(data["questions"]),
                        [Problem(str(where), str(message)) for where, message in data["problems"]],
                        [str(item) for item in data["skipped"]],
                        [Problem(str(where), str(message)) for where, message in data["warnings"]],
                        {str(name): base64.b64decode(text) for name, text in data.get("media", {}).items()},
                        {str(qid): str(topic) for qid, topic in data.get("topics", {}).items()})
