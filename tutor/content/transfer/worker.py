"""The child side of `isolated.py`: one import under hard limits.

    python -I worker.py REQUEST_JSON < bank-file > result.json

It limits its own address space and CPU time (RLIMIT_AS, RLIMIT_CPU) before it reads the
file; setting them here rather than in a `preexec_fn` keeps the parent safe to fork from a
threaded web server. It prints {"result": ...} or {"failure": "memory" | "error", ...}.
"""
from __future__ import annotations

import json
import resource
import sys
import types
from pathlib import Path


def _bare_package() -> None:
    """Register `tutor` without running `tutor/__init__.py`, the Flask app factory: the
    import needs only the pure core below it, and loading Flask, SQLAlchemy and the
    extensions would double the child's start-up time and memory for nothing."""
    package = types.ModuleType("tutor")
    package.__path__ = [str(Path(__file__).resolve().parents[2])]
    sys.modules.setdefault("tutor", package)


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
                             allowed_knowledge_points=request["allowed_knowledge_points"])
        reply = {"result": result_to_json(result)}
    except MemoryError:
        reply = {"failure": "memory"}
    except Exception as exc:  # a parser bug must still end as a reported problem
        reply = {"failure": "error", "error": exc.__class__.__name__}
    del data
    json.dump(reply, sys.stdout, ensure_ascii=False)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
