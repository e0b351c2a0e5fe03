"""Soak: random valid feature documents through the whole life of a generated project.

    python -m bench.soak --count N --seed S [--database sqlite|postgresql|both]
        [--jobs J] [--fuzz-examples K] [--minimise-budget SECONDS] [--out FILE]

For each document drawn by `tests/strategies` (reproducibly from the seed): `backsmith
new demo --feature DOC` into a temporary directory, the README's set-up in a fresh venv
(`tests.e2e.install.install_project`), the project's own test suite, then `backsmith
gates --fuzz-examples K` (fuzzing included; with `--database-url` on PostgreSQL). The
results file records, per document, whether it passed, the failing step and the tail of
its output, the durations, and the document itself; a failing document is minimised
(an entity, a field, an option less while the same step still fails, within the time
budget) and both versions are recorded. The file is rewritten after every document, so a
crash, a kill or Ctrl-C leaves what was measured, and `--resume FILE` goes on from there:
the documents that passed are kept, every other one runs again. See docs/soak.md.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import traceback
from collections.abc import Callable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))  # `python -m bench.soak` from anywhere: tests/ is importable

from tests.e2e.install import install_project  # noqa: E402
from tests.strategies.documents import sample_documents  # noqa: E402
from tests.strategies.reduce import minimise as reduce_document  # noqa: E402
from tests.strategies.reduce import size  # noqa: E402
from tests.strategies.render import dump  # noqa: E402

BIN = Path(sys.executable).parent
POSTGRES_URL = os.environ.get(
    "BACKSMITH_TEST_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"
)
TAIL = 4000  # characters of a failing step's output kept in the results
STEP_TIMEOUT = 1800


class StepFailed(Exception):
    def __init__(self, step: str, output: str) -> None:
        super().__init__(step)
        self.step = step
        self.output = output


# --------------------------------------------------------------------------- processes

_live: set[subprocess.Popen[str]] = set()
_live_lock = threading.Lock()
_stopping = threading.Event()


def run(
    step: str,
    command: list[str],
    cwd: Path,
    env: Mapping[str, str | None] | None = None,
    timeout: float = STEP_TIMEOUT,
) -> str:
    """Run one command of a step; raise StepFailed with its output when it fails.

    Each command gets its own process group, so that Ctrl-C can stop exactly the
    processes this soak started (and their children) and nothing else.
    """
    if _stopping.is_set():
        raise StepFailed(step, "interrupted")
    environment = {**os.environ, **(env or {})}
    process = subprocess.Popen(
        command,
        cwd=cwd,
        env={k: v for k, v in environment.items() if v is not None},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    with _live_lock:
        _live.add(process)
    try:
        output, _ = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        _kill(process)
        output, _ = process.communicate()
        raise StepFailed(step, f"timed out after {timeout:.0f}s\n{output[-TAIL:]}") from None
    finally:
        with _live_lock:
            _live.discard(process)
    if process.returncode != 0:
        raise StepFailed(step, f"exit code {process.returncode}\n{output}")
    return output


def _kill(process: subprocess.Popen[str]) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)


def stop_everything() -> None:
    _stopping.set()
    with _live_lock:
        for process in list(_live):
            _kill(process)


# --------------------------------------------------------------------------- one document


@dataclass
class Options:
    database: str = "sqlite"
    fuzz_examples: int = 10
    installer: str = "uv"
    minimise_budget: float = 900.0


@dataclass
class Outcome:
    """What happened to one document (or one minimisation candidate)."""

    passed: bool
    step: str | None = None  # the failing step: generate, install, suite, gates:<gate>
    tail: str = ""
    durations: dict[str, float] = field(default_factory=dict)
    gates: dict[str, str] = field(default_factory=dict)
    first_failed_test: str | None = None  # of a failing suite: what minimising keeps failing

    @property
    def signature(self) -> tuple[str | None, str | None]:
        return self.step, self.first_failed_test


_FAILED_TEST = re.compile(r"^(?:FAILED|ERROR) (\S+?)(?: - |$)", re.MULTILINE)


def first_failed_test(output: str) -> str | None:
    """The first `FAILED path::test` of pytest's short summary, without its parameters.

    Minimising a document that fails its suite keeps this test failing, so that the
    smaller document shows the same bug rather than any failure of the suite.
    """
    found = _FAILED_TEST.search(output)
    return found[1].split("[")[0] if found else None


def _timed(outcome: Outcome, step: str, action: Callable[[], Any]) -> Any:
    started = time.monotonic()
    try:
        return action()
    finally:
        outcome.durations[step] = round(time.monotonic() - started, 1)


def generate(data: dict[str, Any], work: Path) -> Path:
    """`backsmith new demo --feature DOC` in `work`; returns the project."""
    document = work / "feature.yaml"
    document.write_text(dump(data), encoding="utf-8")
    command = [str(BIN / "backsmith"), "new", "demo", "--directory", str(work)]
    run("generate", [*command, "--feature", str(document)], cwd=work)
    return work / "demo"


def install(project: Path, installer: str) -> None:
    try:
        install_project(project, installer)
    except AssertionError as failed:  # InstallFailed carries the README commands' output
        raise StepFailed("install", str(failed)) from None


def suite(project: Path, database: str, *, sqlite: bool = True) -> None:
    """The project's own suite on each database of `database`; on SQLite only when
    `sqlite` (the tests gate runs it there anyway, with coverage)."""
    pytest = [str(project / ".venv" / "bin" / "pytest"), "-p", "no:cacheprovider", "-q"]
    if database in ("sqlite", "both") and sqlite:
        run("suite", pytest, cwd=project, env={"DATABASE_URL": None})
    if database in ("postgresql", "both"):
        from tests.e2e.conftest import scratch_postgres

        with scratch_postgres(project) as url:
            run("suite:postgresql", pytest, cwd=project, env={"DATABASE_URL": url})


def gates(project: Path, options: Options, only: str | None = None) -> dict[str, str]:
    """`backsmith gates`; returns each gate's status, raises StepFailed on the first failure."""
    report = project.parent / "gates.json"
    report.unlink(missing_ok=True)
    command = [str(BIN / "backsmith"), "gates", str(project), "--json", str(report)]
    command += ["--fuzz-examples", str(options.fuzz_examples)]
    if options.database != "sqlite":
        command += ["--database-url", POSTGRES_URL]
    if only is not None:
        command += ["--only", only]
    try:
        run("gates", command, cwd=project, env={"DATABASE_URL": None})
    except StepFailed as failed:
        if not report.exists():
            raise
        results = json.loads(report.read_text())["results"]
        bad = [r for r in results if r["status"] in ("failed", "error")]
        if not bad:
            raise
        details = "\n".join(
            f"{f.get('location') or ''} {f['message']}\n{f.get('detail') or ''}"
            for f in bad[0]["failures"][:5]
        )
        summary = f"{bad[0]['name']}: {bad[0]['status']}: {bad[0]['summary']}\n{details}"
        error = StepFailed(f"gates:{bad[0]['name']}", summary + "\n" + failed.output[-TAIL:])
        error.gates = {r["name"]: r["status"] for r in results}  # type: ignore[attr-defined]
        if bad[0]["name"] == "tests" and bad[0]["failures"]:  # the test minimising keeps failing
            location = bad[0]["failures"][0].get("location") or ""
            error.first_failed = location.split("[")[0] or None  # type: ignore[attr-defined]
        raise error from None
    return {r["name"]: r["status"] for r in json.loads(report.read_text())["results"]}


def attempt(
    data: dict[str, Any],
    work: Path,
    options: Options,
    *,
    venv: Path | None = None,
    only: str | None = None,
) -> Outcome:
    """Run the pipeline for one document in `work`; never raises (a crash is a failing step).

    `venv` is an installed project venv kept aside (minimisation): every generated project
    has the same dependencies, and generated at the same path its editable install still
    points at the right code, so the venv is moved in instead of installing again. `only`
    stops after that step (`generate`, `install`, `suite`), or runs that gate alone
    (`gates:<gate>`).
    """
    outcome = Outcome(passed=False)
    step = "generate"
    project = work / "demo"
    try:
        _timed(outcome, "generate", lambda: generate(data, work))
        if only == "generate":
            outcome.passed = True
            return outcome
        step = "install"
        if venv is None:
            _timed(outcome, "install", lambda: install(project, options.installer))
        else:
            shutil.move(venv, project / ".venv")
        if only == "install":
            outcome.passed = True
            return outcome
        if only is None or only.startswith("suite"):
            step = "suite"
            # A whole run leaves the SQLite suite to the tests gate: the same suite, with
            # coverage, so it need not run twice.
            on_sqlite = only is not None
            _timed(outcome, "suite", lambda: suite(project, options.database, sqlite=on_sqlite))
            if only is not None:
                outcome.passed = True
                return outcome
        step = "gates"
        gate = only.removeprefix("gates:") if only else None
        outcome.gates = _timed(outcome, "gates", lambda: gates(project, options, gate))
        outcome.passed = True
    except StepFailed as failed:
        outcome.step = failed.step
        outcome.tail = failed.output[-TAIL:]
        if failed.step.startswith("suite"):
            outcome.first_failed_test = first_failed_test(failed.output)
        elif failed.step == "gates:tests":
            outcome.first_failed_test = getattr(failed, "first_failed", None)
        outcome.gates = getattr(failed, "gates", {})
    except Exception:  # a crash of the soak or of a tool it calls: recorded, never fatal
        outcome.step = f"{step} (crashed)"
        outcome.tail = traceback.format_exc()[-TAIL:]
    finally:
        if venv is not None and (project / ".venv").is_dir():
            shutil.move(project / ".venv", venv)
    return outcome


def minimise(
    data: dict[str, Any], failing: Outcome, work: Path, options: Options
) -> dict[str, Any]:
    """The smallest document whose project still fails the same way, within the budget:
    at the same step, and for a suite with the same first failing test.

    Candidates are generated where the original project was (`work`), with its venv.
    """
    step = failing.step or ""
    installed = (work / "demo" / ".venv" / "bin" / "python").exists() and step != "install"
    kept = work / ".venv-kept"
    if installed:
        shutil.move(work / "demo" / ".venv", kept)
    only = step if step in ("generate", "install") or step.startswith(("gates:", "suite")) else None
    tails: list[str] = []

    def still_fails(candidate: dict[str, Any]) -> bool:
        if _stopping.is_set():
            return False
        shutil.rmtree(work / "demo", ignore_errors=True)
        with tempfile.TemporaryDirectory(prefix="soak-min-") as scratch:
            where = work if installed else Path(scratch)
            venv = kept if installed else None
            outcome = attempt(candidate, where, options, venv=venv, only=only)
        if outcome.signature == failing.signature:
            tails.append(outcome.tail)
            return True
        return False

    deadline = time.monotonic() + options.minimise_budget
    smallest, dropped, tried = reduce_document(data, still_fails, deadline)
    return {
        "document": dump(smallest),
        "size": size(smallest),
        "original_size": size(data),
        "dropped": dropped,
        "candidates_tried": tried,
        "finished": time.monotonic() < deadline and not _stopping.is_set(),
        "tail": tails[-1] if tails else "",
    }


def soak_one(index: int, data: dict[str, Any], options: Options, root: Path) -> dict[str, Any]:
    started = time.monotonic()
    work = root / f"doc-{index:03d}"
    work.mkdir(parents=True)
    outcome = attempt(data, work, options)
    record: dict[str, Any] = {
        "index": index,
        "status": "passed" if outcome.passed else "failed",
        "database": options.database,
        **{k: v for k, v in asdict(outcome).items() if k != "passed"},
        "document": dump(data),
    }
    if _stopping.is_set() and not outcome.passed:
        record["status"] = "interrupted"
    elif not outcome.passed and options.minimise_budget > 0:
        started_minimising = time.monotonic()
        try:
            record["minimised"] = minimise(data, outcome, work, options)
        except Exception:
            record["minimised"] = {"error": traceback.format_exc()[-TAIL:]}
        record["minimised"]["duration_s"] = round(time.monotonic() - started_minimising, 1)
    record["duration_s"] = round(time.monotonic() - started, 1)
    shutil.rmtree(work, ignore_errors=True)
    return record


# --------------------------------------------------------------------------- the run


def _commit() -> str:
    done = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True, text=True
    )
    return done.stdout.strip()


def write_results(path: Path, run_info: dict[str, Any], records: list[dict[str, Any]]) -> None:
    finished = [r for r in records if r["status"] in ("passed", "failed", "crashed")]
    passed = sum(r["status"] == "passed" for r in finished)
    signatures: dict[str, list[int]] = {}
    for r in finished:
        if r["status"] != "passed":
            signatures.setdefault(r.get("step") or "soak crashed", []).append(r["index"])
    summary = {
        **run_info,
        "finished_documents": len(finished),
        "passed": passed,
        "failed": len(finished) - passed,
        "pass_rate": round(passed / len(finished), 3) if finished else None,
        "passed_on_postgresql": sum(
            r["status"] == "passed" and r.get("database") != "sqlite" for r in finished
        ),
        "failures_by_step": signatures,
        "documents": sorted(records, key=lambda r: r["index"]),
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".partial")
    partial.write_text(json.dumps(summary, indent=2, default=str) + "\n", encoding="utf-8")
    partial.replace(path)


# What makes two runs the same experiment: a resumed run must draw and treat each
# document as the interrupted one did.
SAME_RUN = ("seed", "count", "database", "postgresql_count", "fuzz_examples", "installer")


class CannotResume(Exception):
    pass


def carried_over(
    previous: dict[str, Any], run_info: dict[str, Any], documents: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """The records of an earlier run's results that this run keeps: its passed documents.

    A failed, crashed or unfinished document runs again (the fix it waited for may have
    landed); so does one whose text is no longer what the seed draws (the strategies
    changed). Each kept record names the commit it passed on.
    """
    if not isinstance(previous, dict) or not isinstance(previous.get("documents"), list):
        raise CannotResume("it is not the results file of a soak")
    for key in SAME_RUN:
        if previous.get(key) != run_info[key]:
            raise CannotResume(
                f"it was run with {key} = {previous.get(key)!r}, this run has "
                f"{run_info[key]!r}: resume with the options it was started with"
            )
    kept = []
    for record in previous["documents"]:
        index = record.get("index")
        if (
            record.get("status") == "passed"
            and isinstance(index, int)
            and 0 <= index < len(documents)
            and record.get("document") == dump(documents[index])
        ):
            kept.append({"backsmith_commit": previous.get("backsmith_commit"), **record})
    return kept


def _stop_on_signal(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.soak", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--count", type=int, default=5)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--database", choices=("sqlite", "postgresql", "both"), default="sqlite")
    parser.add_argument("--jobs", type=int, default=1)
    parser.add_argument("--fuzz-examples", type=int, default=10)
    parser.add_argument("--installer", choices=("uv", "pip"), default="uv")
    parser.add_argument(
        "--minimise-budget", type=float, default=900.0, help="seconds per failing document"
    )
    parser.add_argument(
        "--postgresql-count",
        type=int,
        default=None,
        help="with --database both or postgresql: only the first N documents also on "
        "PostgreSQL, the rest on SQLite only",
    )
    parser.add_argument("--out", type=Path, default=None)
    parser.add_argument(
        "--resume",
        type=Path,
        default=None,
        metavar="FILE",
        help="the results of an interrupted run with the same options: its passed "
        "documents are kept, the others run again; written back to FILE unless --out",
    )
    args = parser.parse_args(argv)
    today = datetime.now(UTC).strftime("%Y-%m-%d")
    out = args.out or args.resume or REPO / "bench" / "results" / f"soak-{today}.json"
    options = Options(args.database, args.fuzz_examples, args.installer, args.minimise_budget)
    documents = sample_documents(args.count, args.seed, prose=False)
    run_info: dict[str, Any] = {
        "command": " ".join(["python -m bench.soak", *(argv or sys.argv[1:])]),
        "started_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "backsmith_commit": _commit(),
        "seed": args.seed,
        "count": args.count,
        "database": args.database,
        "postgresql_count": args.postgresql_count,
        "jobs": args.jobs,
        "fuzz_examples": args.fuzz_examples,
        "installer": args.installer,
        "minimise_budget_s": args.minimise_budget,
        "interrupted": False,
    }
    records: list[dict[str, Any]] = []
    if args.resume is not None:
        try:
            previous = json.loads(args.resume.read_text(encoding="utf-8"))
            records = carried_over(previous, run_info, documents)
        except (OSError, ValueError, CannotResume) as error:
            parser.error(f"--resume {args.resume}: cannot resume: {error}")
        run_info["resumed"] = [
            *previous.get("resumed", []),
            {
                "backsmith_commit": previous.get("backsmith_commit"),
                "started_at": previous.get("started_at"),
                "finished_documents": previous.get("finished_documents"),
                "kept": len(records),
            },
        ]
        print(f"resuming {args.resume}: {len(records)} passed documents kept", flush=True)
    done = {r["index"] for r in records}
    lock = threading.Lock()

    def finished(future: Future[dict[str, Any]], *, index: int) -> None:
        if future.cancelled():
            return
        try:
            record = future.result()
        except BaseException:
            record = {"index": index, "status": "crashed", "tail": traceback.format_exc()}
        record["backsmith_commit"] = run_info["backsmith_commit"]
        with lock:
            records.append(record)
            write_results(out, run_info, records)
        step = record.get("step") or ""
        print(
            f"[{len(records)}/{len(documents)}] doc {index}: {record['status']} {step}", flush=True
        )

    # `kill` stops a run as Ctrl-C does. A run started in the background of a shell
    # without job control has SIGINT ignored, so SIGTERM is how it is stopped there.
    stop_as_before = signal.signal(signal.SIGTERM, _stop_on_signal)
    root = Path(tempfile.mkdtemp(prefix="backsmith-soak-"))
    pool = ThreadPoolExecutor(max_workers=max(1, args.jobs))
    try:
        futures = []
        for index, data in enumerate(documents):
            if index in done:
                continue
            on_sqlite_only = args.postgresql_count is not None and index >= args.postgresql_count
            chosen = replace(options, database="sqlite") if on_sqlite_only else options
            future = pool.submit(soak_one, index, data, chosen, root)
            future.add_done_callback(functools.partial(finished, index=index))
            futures.append(future)
        while not all(f.done() for f in futures):
            time.sleep(0.5)
    except KeyboardInterrupt:
        run_info["interrupted"] = True
        stop_everything()
        pool.shutdown(wait=True, cancel_futures=True)
        with lock:
            write_results(out, run_info, records)
        print(f"interrupted: {len(records)} documents recorded in {out}", flush=True)
        return 130
    finally:
        signal.signal(signal.SIGTERM, stop_as_before)
        pool.shutdown(wait=False)
        shutil.rmtree(root, ignore_errors=True)
    run_info["finished_at"] = datetime.now(UTC).isoformat(timespec="seconds")
    with lock:
        write_results(out, run_info, records)
    summary = json.loads(out.read_text())
    print(
        f"pass rate {summary['pass_rate']} "
        f"({summary['passed']}/{summary['finished_documents']}); {out}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
