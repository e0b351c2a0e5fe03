"""Sampling profiles of a running server with py-spy, and what they say per function.

    python bench/profiling.py summarize bench/results/profile-generated-read.txt [--top 25]

`record` attaches py-spy to a uvicorn process for a fixed time (non-blocking sampling, so
the server is not paused). With `gil=True` (what the benchmark uses) only samples where the
thread holds the GIL count: Python work, not time spent in a system call or descheduled
while the two cores are busy. `summarize` reads py-spy's raw output (collapsed stacks, one
line per distinct stack with its sample count) and returns, per function and per library,
the share of samples where it is on the stack (inclusive) or running itself (self);
`per_request` turns sample counts into microseconds of Python time per request.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

FRAME = re.compile(r"^(?P<function>.*) \((?P<file>[^()]*?)(?::\d+)?\)$")

# Which library a frame's file belongs to, by the first matching fragment.
LIBRARIES = (
    ("app/", "generated app"),
    ("baseline_app", "baseline app"),
    ("fastapi/", "fastapi"),
    ("starlette/", "starlette"),
    ("pydantic_core/", "pydantic"),
    ("pydantic/", "pydantic"),
    ("sqlalchemy/", "sqlalchemy"),
    ("asyncpg/", "asyncpg"),
    ("greenlet", "greenlet"),
    ("uvicorn/", "uvicorn"),
    ("h11/", "h11"),
    ("jwt/", "pyjwt"),
    ("json/", "json (stdlib)"),
    ("asyncio/", "asyncio"),
    ("anyio/", "anyio"),
    ("typing", "typing"),
)


def py_spy() -> str | None:
    here = Path(sys.executable).parent / "py-spy"
    return str(here) if here.exists() else shutil.which("py-spy")


def record(
    pid: int, seconds: int, out: Path, rate: int = 250, *, gil: bool = True
) -> subprocess.Popen[bytes]:
    """Start py-spy on `pid` for `seconds`; the caller waits for the returned process."""
    binary = py_spy()
    if binary is None:
        raise RuntimeError("py-spy is not installed: pip install -r bench/requirements.txt")
    command = [binary, "record", "-p", str(pid), "-d", str(seconds), "-r", str(rate)]
    command += ["-f", "raw", "-o", str(out), "--nonblocking"]
    if gil:
        command.append("--gil")
    return subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def _frame(text: str) -> tuple[str, str]:
    match = FRAME.match(text.strip())
    if match is None:
        return text.strip(), ""
    return match["function"], match["file"]


def _library(file: str) -> str:
    for fragment, name in LIBRARIES:
        if fragment in file:
            return name
    return "other" if file else "native"


# Functions worth a line of their own, by label: (function, file fragment).
FOCUS = (
    ("auth dependency: get_optional_user (JWT + user load)", "get_optional_user", "app/auth/"),
    ("  PyJWT.decode", "PyJWT.decode", "jwt/"),
    ("  AsyncSession.get(User, id)", "AsyncSession.get", "sqlalchemy/"),
    ("session dependency: get_session (commit, close)", "get_session", "app/core/db"),
    (
        "pool pre-ping (BEGIN; ;, ROLLBACK per checkout)",
        "AsyncAdapt_asyncpg_connection._async_ping",
        "",
    ),
    ("new database connections (asyncpg connect)", "connect", "asyncpg/connection.py"),
    ("FastAPI: solve_dependencies", "solve_dependencies", "fastapi/"),
    ("FastAPI: serialize_response (response model)", "serialize_response", "fastapi/"),
    ("FastAPI: body validation", "_validate_value_with_model_field", "fastapi/"),
    ("service: list_appointments", "list_appointments", "app/clinic/service.py"),
    ("  paginate", "paginate", "app/core/pagination.py"),
    (
        "service: get_appointment (via valid_appointment)",
        "get_appointment",
        "app/clinic/service.py",
    ),
    ("service: create_appointment", "create_appointment", "app/clinic/service.py"),
    ("  _check_appointment_references", "_check_appointment_references", "app/clinic/"),
    ("  _check_appointment_unique", "_check_appointment_unique", "app/clinic/"),
    ("  _flush (INSERT)", "_flush", "app/clinic/"),
    ("SQLAlchemy: Session._execute_internal", "Session._execute_internal", "sqlalchemy/"),
    ("SQLAlchemy: ORM row loading (instances)", "instances", "sqlalchemy/orm/loading.py"),
    ("SQLAlchemy: statement cache key", "HasCacheKey._generate_cache_key", "sqlalchemy/"),
    ("SQLAlchemy: greenlet_spawn", "greenlet_spawn", "sqlalchemy/"),
    ("baseline: _caller (JWT + user load)", "_caller", "baseline_app"),
    ("baseline: list_appointments", "list_appointments", "baseline_app"),
    ("baseline: get_appointment", "get_appointment", "baseline_app"),
    ("baseline: create_appointment", "create_appointment", "baseline_app"),
    ("uvicorn/h11: parse request", "H11Protocol.data_received", "uvicorn/"),
    ("uvicorn/h11: send response", "RequestResponseCycle.send", "uvicorn/"),
)


def _parse(path: Path) -> list[tuple[list[tuple[str, str]], int]]:
    stacks = []
    for line in path.read_text().splitlines():
        stack, _, count_text = line.rpartition(" ")
        if stack and count_text.isdigit():
            stacks.append(([_frame(part) for part in stack.split(";")], int(count_text)))
    return stacks


def per_request(path: Path, rate: int, requests: float, top: int = 15) -> dict[str, Any]:
    """Microseconds of sampled time per request: in total, per library, per function."""
    stacks = _parse(path)
    total = sum(count for _, count in stacks)
    scale = 1e6 / rate / max(requests, 1.0)
    libraries: Counter[str] = Counter()
    self_time: Counter[str] = Counter()
    focus: Counter[str] = Counter()
    greenlets: Counter[str] = Counter()
    for frames, count in stacks:
        # SQLAlchemy's async layer runs the ORM in a greenlet with a stack of its own: such
        # samples start at the sync Session method (Session.get, .execute, .scalar, ...),
        # not at uvicorn, so no caller in the app is on them. Count them by that method.
        root_function, root_file = frames[0]
        if root_function.startswith("Session.") and root_file.endswith("orm/session.py"):
            greenlets[root_function] += count
        function, file = frames[-1]
        libraries[_library(file)] += count
        self_time[f"{function} ({file})"] += count
        for label, name, fragment in FOCUS:
            if any(f == name and fragment in p for f, p in frames):
                focus[label] += count
    return {
        "samples": total,
        "us_per_request": round(total * scale),
        "by_library_us": {k: round(v * scale) for k, v in libraries.most_common()},
        "self_top_us": [(k, round(v * scale)) for k, v in self_time.most_common(top)],
        "focus_us": {label: round(focus[label] * scale) for label, _, _ in FOCUS if focus[label]},
        "greenlet_us": {k: round(v * scale) for k, v in greenlets.most_common()},
    }


def summarize(path: Path, top: int = 25) -> dict[str, Any]:
    inclusive: Counter[str] = Counter()
    self_time: Counter[str] = Counter()
    library_self: Counter[str] = Counter()
    total = 0
    for line in path.read_text().splitlines():
        stack, _, count_text = line.rpartition(" ")
        if not stack or not count_text.isdigit():
            continue
        count = int(count_text)
        total += count
        frames = [_frame(part) for part in stack.split(";")]
        seen = set()
        for function, file in frames:
            key = f"{function} ({file})"
            if key not in seen:
                seen.add(key)
                inclusive[key] += count
        function, file = frames[-1]
        self_time[f"{function} ({file})"] += count
        library_self[_library(file)] += count

    def shares(counter: Counter[str], n: int) -> list[tuple[str, float]]:
        return [(key, round(100 * value / total, 1)) for key, value in counter.most_common(n)]

    return {
        "samples": total,
        "self_by_library_pct": shares(library_self, 20),
        "self_pct": shares(self_time, top),
        "inclusive_pct": shares(inclusive, top * 4),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    summary = commands.add_parser("summarize")
    summary.add_argument("raw", type=Path)
    summary.add_argument("--top", type=int, default=25)
    args = parser.parse_args()
    print(json.dumps(summarize(args.raw, args.top), indent=1))


if __name__ == "__main__":
    main()
