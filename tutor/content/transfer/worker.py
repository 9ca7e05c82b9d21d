"""The child side of `isolated.py`: one import under hard limits.

    python -I worker.py REQUEST_JSON < bank-file > result.json

It limits its own address space and CPU time (RLIMIT_AS, RLIMIT_CPU) before it reads the
file; setting them here rather than in a `preexec_fn` keeps the parent safe to fork from a
threaded web server. It prints {"result": ...} or {"failure": "memory" | "error", ...}.
"""
from __future__ import annotations

import errno
import json
import resource
import sys
import types
from typing import Any
from pathlib import Path


def _bare_package() -> None:
    """Register `tutor` without running `tutor/__init__.py`, the Flask app factory: the
    import needs only the pure core below it, and loading Flask, SQLAlchemy and the
    extensions would double the child's start-up time and memory for nothing."""
    package = types.ModuleType("tutor")
    package.__path__ = [str(Path(__file__).resolve().parents[2])]
    sys.modules.setdefault("tutor", package)


def peak_bytes() -> int:
    """This process's peak resident memory since it started the worker. Not ru_maxrss: that
    keeps the parent's size from before the exec, and a web worker may be large."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def main(argv: list[str]) -> int:
    request = json.loads(argv[1])
    memory, cpu = int(request["memory_bytes"]), int(request["cpu_seconds"])
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))
    _bare_package()
    from tutor.content.transfer import import_data
    from tutor.content.transfer.isolated import result_to_json

    data = sys.stdin.buffer.read()
    try:
        result = import_data(request["filename"], data, topic=request["topic"],
                             knowledge_point=request["knowledge_point"], id_prefix=request["id_prefix"],
                             allowed_knowledge_points=request["allowed_knowledge_points"],
                             topic_of=request.get("topic_of"))
        reply: dict[str, Any] = {"result": result_to_json(result)}
    except MemoryError:
        reply = {"failure": "memory"}
    except OSError as exc:        # e.g. a library that cannot be mapped under the limit
        reply = {"failure": "memory" if exc.errno == errno.ENOMEM else "error", "error": exc.__class__.__name__}
    except Exception as exc:  # a parser bug must still end as a reported problem
        reply = {"failure": "error", "error": exc.__class__.__name__}
    del data
    reply["peak_bytes"] = peak_bytes()
    json.dump(reply, sys.stdout, ensure_ascii=False)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
