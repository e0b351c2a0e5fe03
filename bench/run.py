"""Run every benchmark of backsmith and record the results.

    bench/run.sh [options]        (installs bench/requirements.txt, then runs this file)
    .venv/bin/python bench/run.py [options]

Phases, in order (each can be skipped):
1. generation  wall time, CPU time and peak RSS of `backsmith new --feature` (new +
               implement, no gates) for the 2-, 5- and 20-entity documents;
2. queries     SQL statements (and driver round trips) per request of the generated
               app, in process, at list page sizes 10, 50 and 100;
3. throughput  req/s and p50/p99 of list, read and create, generated app vs the
               hand-written asyncpg baseline (`bench/baseline_app.py`), one uvicorn
               worker each, one app at a time, from wrk (or the httpx client) in another
               process; rounds alternate which app goes first;
4. profile     (with --profile) py-spy samples of both apps under the same load: Python
               time per request, per function and per library;
5. pagination  latency of the first list page vs the page after the 100 000th row.

Results: bench/results/latest.json (every figure), bench/results/ratios.png, and the
results section of docs/benchmarks.md. A scratch PostgreSQL database on 127.0.0.1 holds
the data and is dropped at the end, whatever happens.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import shutil
import signal
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))

import generation
import load
import profiling
import project as target
from common import (
    BENCH,
    PYTHON,
    RESULTS,
    ROOT,
    Server,
    create_database,
    drop_database,
    load_average,
    machine_info,
    pg_dsn,
    postgres_reachable,
    run_json,
    source_state,
    timed,
)

APPS = ("generated", "baseline")
SCENARIOS = load.SCENARIOS
LIST_SIZES = (10, 50, 100)


def _stop(signum: int, _frame: object) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


def _servers(project: target.Project, env: dict[str, str]) -> dict[str, Server]:
    return {
        "generated": Server("generated", "app.main:app", project.path, env),
        "baseline": Server("baseline", "baseline_app:app", BENCH, env, ready_path="/health"),
    }


def _cpu(pid: int) -> tuple[float, float]:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    tick = os.sysconf("SC_CLK_TCK")
    return int(fields[11]) / tick, int(fields[12]) / tick


# --- phase 2: statements per request -----------------------------------------------


def query_cost(project: target.Project, env: dict[str, str], token: str) -> dict[str, Any]:
    command = [PYTHON, str(BENCH / "inprocess.py"), "counts", "--token", token, "--sizes"]
    command += [str(size) for size in LIST_SIZES]
    return run_json(command, cwd=project.path, env=env, timeout=300)


# --- phase 3: throughput ---------------------------------------------------------------

REFERENCE_PATHS = ("/appointments?limit=20", "/appointments/5", "/appointments/999999")


def _responses(base_url: str, token: str) -> dict[str, Any]:
    headers = {"Authorization": f"Bearer {token}"}
    out: dict[str, Any] = {}
    with httpx.Client(base_url=base_url, headers=headers, timeout=30) as client:
        for path in REFERENCE_PATHS:
            response = client.get(path)
            out[path] = [response.status_code, response.json()]
        cursor = out[REFERENCE_PATHS[0]][1]["next_cursor"]
        response = client.get("/appointments", params={"limit": 20, "cursor": cursor})
        out["second page"] = [response.status_code, response.json()]
    return out


def _one_scenario(
    server: Server,
    scenario: str,
    token: str,
    args: argparse.Namespace,
    run_index: int,
    database: str,
    rows: int,
) -> dict[str, Any]:
    common = {
        "token": token,
        "connections": args.connections,
        "threads": args.threads,
        "rows": rows,
        "client": args.client,
    }
    load.run(server.base_url, scenario, duration=args.warmup, run_index=run_index, **common)
    sessions_before = target.sessions(pg_dsn("postgres"), database)
    user_before, system_before = _cpu(server.pid)
    result = load.run(
        server.base_url, scenario, duration=args.duration, run_index=run_index + 1, **common
    )
    user_after, system_after = _cpu(server.pid)
    sessions_after = target.sessions(pg_dsn("postgres"), database)
    if result["errors"]:
        print(
            f"[bench] WARNING: {server.name} {scenario}: {result['errors']:.0f} failed requests "
            f"of {result['requests']:.0f}",
            file=sys.stderr,
        )
    requests = max(1, int(result["requests"]))
    result["cpu_user_us_per_request"] = round((user_after - user_before) / requests * 1e6)
    result["cpu_system_us_per_request"] = round((system_after - system_before) / requests * 1e6)
    result["cpu_us_per_request"] = (
        result["cpu_user_us_per_request"] + result["cpu_system_us_per_request"]
    )
    result["new_db_connections"] = sessions_after - sessions_before
    if scenario == "create":
        target.trim(pg_dsn(database), rows)
    return result


def throughput(
    project: target.Project, env: dict[str, str], token: str, args: argparse.Namespace, rows: int
) -> dict[str, Any]:
    servers = _servers(project, env)
    reference: dict[str, Any] | None = None
    rounds: list[dict[str, dict[str, Any]]] = []
    run_index = 0
    for round_number in range(args.rounds):
        order = APPS if round_number % 2 == 0 else APPS[::-1]
        figures: dict[str, dict[str, Any]] = {}
        for name in order:
            with servers[name] as server:
                if round_number == 0:
                    responses = _responses(server.base_url, token)
                    if reference is None:
                        reference = responses
                    elif responses != reference:
                        raise RuntimeError(
                            "the baseline's JSON differs from the generated app's:\n"
                            f"{json.dumps(responses)[:2000]}\n{json.dumps(reference)[:2000]}"
                        )
                figures[name] = {}
                for scenario in SCENARIOS:
                    with timed(f"round {round_number + 1}, {name}, {scenario}"):
                        figures[name][scenario] = _one_scenario(
                            server, scenario, token, args, run_index, project.database, rows
                        )
                    run_index += 2
        rounds.append(figures)
    return _summarise_rounds(rounds)


def _median(values: list[float]) -> float:
    return round(statistics.median(values), 2)


def _summarise_rounds(rounds: list[dict[str, dict[str, Any]]]) -> dict[str, Any]:
    summary: dict[str, Any] = {"rounds": rounds, "scenarios": {}}
    keys = ("rps", "p50_ms", "p90_ms", "p99_ms", "cpu_us_per_request", "errors")
    for scenario in SCENARIOS:
        entry: dict[str, Any] = {}
        for name in APPS:
            runs = [figures[name][scenario] for figures in rounds]
            entry[name] = {key: _median([run[key] for run in runs]) for key in keys}
            entry[name]["cpu_user_us_per_request"] = _median(
                [run["cpu_user_us_per_request"] for run in runs]
            )
            entry[name]["cpu_system_us_per_request"] = _median(
                [run["cpu_system_us_per_request"] for run in runs]
            )
            entry[name]["new_db_connections_per_run"] = _median(
                [run["new_db_connections"] for run in runs]
            )
            entry[name]["requests_per_run"] = _median([run["requests"] for run in runs])
        generated, baseline = entry["generated"], entry["baseline"]
        entry["ratio_rps"] = round(generated["rps"] / baseline["rps"], 3)
        entry["ratio_rps_per_round"] = [
            round(figures["generated"][scenario]["rps"] / figures["baseline"][scenario]["rps"], 3)
            for figures in rounds
        ]
        entry["ratio_p50"] = round(generated["p50_ms"] / baseline["p50_ms"], 3)
        entry["ratio_p99"] = round(generated["p99_ms"] / baseline["p99_ms"], 3)
        entry["ratio_cpu_per_request"] = round(
            generated["cpu_us_per_request"] / baseline["cpu_us_per_request"], 3
        )
        summary["scenarios"][scenario] = entry
    return summary


# --- phase 4: profiles -------------------------------------------------------------------


def profiles(
    project: target.Project,
    env: dict[str, str],
    token: str,
    args: argparse.Namespace,
    rows: int,
) -> dict[str, Any]:
    """Python time per request, per function, under the same load (GIL samples)."""
    rate = 250
    seconds = max(3, round(args.duration))
    out: dict[str, Any] = {"rate_hz": rate, "seconds": seconds, "mode": "gil", "apps": {}}
    scratch = Path(tempfile.mkdtemp(prefix="backsmith-bench-profile-"))
    try:
        for name, server in _servers(project, env).items():
            out["apps"][name] = {}
            with server:
                for index, scenario in enumerate(SCENARIOS):
                    common = {
                        "token": token,
                        "connections": args.connections,
                        "threads": args.threads,
                        "rows": rows,
                        "client": args.client,
                    }
                    run_index = 200 + 4 * index + (0 if name == "generated" else 2)
                    load.run(
                        server.base_url,
                        scenario,
                        duration=args.warmup,
                        run_index=run_index,
                        **common,
                    )
                    raw = scratch / f"{name}-{scenario}.txt"
                    spy = profiling.record(server.pid, seconds, raw, rate=rate, gil=True)
                    result = load.run(
                        server.base_url,
                        scenario,
                        duration=seconds + 1,
                        run_index=run_index + 1,
                        **common,
                    )
                    spy.wait(timeout=seconds + 60)
                    if scenario == "create":
                        target.trim(pg_dsn(project.database), rows)
                    requests_in_window = result["rps"] * seconds
                    out["apps"][name][scenario] = {
                        "rps_while_profiled": result["rps"],
                        **profiling.per_request(raw, rate, requests_in_window),
                    }
                    if args.keep_profiles:
                        RESULTS.mkdir(exist_ok=True)
                        shutil.copy(raw, RESULTS / f"profile-{name}-{scenario}.txt")
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return out


# --- phase 5: pagination depth -------------------------------------------------------


def _time_pages(
    base_url: str, token: str, pages: dict[str, dict[str, Any]], repeat: int, expect: dict[str, int]
) -> dict[str, Any]:
    headers = {"Authorization": f"Bearer {token}"}
    latencies: dict[str, list[float]] = {label: [] for label in pages}
    with httpx.Client(base_url=base_url, headers=headers, timeout=30) as client:
        for label, params in pages.items():  # warm-up, and check the page is the right one
            for _ in range(3):
                response = client.get("/appointments", params=params)
            response.raise_for_status()
            first_id = response.json()["items"][0]["id"]
            if label in expect and first_id != expect[label]:
                raise RuntimeError(f"{label}: page starts at id {first_id}, not {expect[label]}")
        for _ in range(repeat):  # interleaved, so drift hits both alike
            for label, params in pages.items():
                start = time.perf_counter()
                client.get("/appointments", params=params).raise_for_status()
                latencies[label].append((time.perf_counter() - start) * 1000)
    out: dict[str, Any] = {}
    for label, values in latencies.items():
        values.sort()
        out[label] = {
            "requests": len(values),
            "p50_ms": round(statistics.median(values), 2),
            "p90_ms": round(values[int(len(values) * 0.9) - 1], 2),
            "min_ms": round(values[0], 2),
        }
    return out


def pagination(
    project: target.Project,
    env: dict[str, str],
    token: str,
    owner_id: int,
    args: argparse.Namespace,
) -> dict[str, Any]:
    depth = args.deep_rows
    total = depth + 10_000
    with timed(f"seeding {total} rows"):
        target.seed(pg_dsn(project.database), owner_id, total)
    dsn = pg_dsn(project.database)
    out: dict[str, Any] = {"rows": total, "depth": depth, "repeat": args.page_repeat, "sorts": {}}
    cursors = {}
    for sort in ("starts_at", "id"):
        cursor, row_id = target.cursor_after_row(dsn, owner_id, depth, sort)
        _, next_id = target.cursor_after_row(dsn, owner_id, depth + 1, sort)
        cursors[sort] = cursor
        pages = {
            "first": {"limit": 20, "sort": sort},
            "deep": {"limit": 20, "sort": sort, "cursor": cursor},
        }
        servers = _servers(project, env)
        with servers["generated"] as server:
            generated = _time_pages(
                server.base_url, token, pages, args.page_repeat, {"deep": next_id}
            )
        entry: dict[str, Any] = {
            "deep_cursor": cursor,
            "after_row_id": row_id,
            "generated": generated,
            "ratio_generated": round(generated["deep"]["p50_ms"] / generated["first"]["p50_ms"], 3),
        }
        if sort == "starts_at":  # the baseline serves the default order only
            baseline_pages = {
                label: {k: v for k, v in params.items() if k != "sort"}
                for label, params in pages.items()
            }
            with servers["baseline"] as server:
                baseline = _time_pages(
                    server.base_url, token, baseline_pages, args.page_repeat, {"deep": next_id}
                )
            entry["baseline"] = baseline
            entry["ratio_baseline"] = round(
                baseline["deep"]["p50_ms"] / baseline["first"]["p50_ms"], 3
            )
        out["sorts"][sort] = entry
    out["explain"] = {}
    for sort, cursor in cursors.items():
        command = [PYTHON, str(BENCH / "inprocess.py"), "explain", "--token", token]
        command += ["--cursor", cursor, "--sort", sort]
        out["explain"][sort] = run_json(command, cwd=project.path, env=env, timeout=120)
    return out


# --- goals ---------------------------------------------------------------------------


def goals(results: dict[str, Any]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    scenarios = results.get("throughput", {}).get("scenarios", {})
    for scenario in ("list", "read"):
        if scenario in scenarios:
            ratio = scenarios[scenario]["ratio_rps"]
            out.append(
                {
                    "goal": f"{scenario}: generated req/s >= 0.7 x baseline",
                    "measured": f"{ratio:.2f}x",
                    "met": ratio >= 0.7,
                }
            )
    sorts = results.get("pagination", {}).get("sorts", {})
    if "starts_at" in sorts:
        ratio = sorts["starts_at"]["ratio_generated"]
        goal = {
            "goal": "deep page p50 <= 1.5 x first page p50 (default order)",
            "measured": f"{ratio:.2f}x",
            "met": ratio <= 1.5,
        }
        plans = results["pagination"].get("explain", {}).get("starts_at", {})
        if any("Seq Scan" in line for page in plans.values() for line in page["plan"]):
            first = sorts["starts_at"]["generated"]["first"]["p50_ms"]
            goal["note"] = (
                f"but only because the first page is a full scan too: {first:.1f} ms at "
                f"{results['pagination']['rows']} rows, no index serves the default order"
            )
        out.append(goal)
    cost = results.get("query_cost")
    if cost:
        counts = {size: cost[f"list_{size}"]["statements_per_request"] for size in LIST_SIZES}
        flat = {n for values in counts.values() for n in values}
        out.append(
            {
                "goal": "constant statements per list request (10, 50, 100 rows)",
                "measured": ", ".join(f"{size}: {values[0]}" for size, values in counts.items()),
                "met": len(flat) == 1,
            }
        )
    for row in results.get("generation", []):
        if row["entities"] == 5:
            out.append(
                {
                    "goal": "generation of 5 entities < 1 s (median wall)",
                    "measured": f"{row['median_s']:.2f} s",
                    "met": row["median_s"] < 1.0,
                }
            )
    return out


# --- main ------------------------------------------------------------------------------


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=float, default=10, help="seconds measured per scenario")
    parser.add_argument("--warmup", type=float, default=2, help="seconds of warm-up per scenario")
    parser.add_argument("--rounds", type=int, default=3, help="throughput rounds (median taken)")
    parser.add_argument("--connections", type=int, default=16, help="concurrent HTTP connections")
    parser.add_argument("--threads", type=int, default=1, help="wrk threads")
    parser.add_argument("--rows", type=int, default=10_000, help="appointments for throughput")
    parser.add_argument("--deep-rows", type=int, default=100_000, help="depth of the deep page")
    parser.add_argument("--page-repeat", type=int, default=40, help="timed requests per page")
    parser.add_argument("--generation-runs", type=int, default=5)
    parser.add_argument("--client", choices=("auto", "wrk", "httpx"), default="auto")
    parser.add_argument(
        "--skip",
        action="append",
        default=[],
        choices=("generation", "queries", "throughput", "pagination"),
        help="leave a phase out (repeatable)",
    )
    parser.add_argument("--profile", action="store_true", help="add the py-spy profile phase")
    parser.add_argument("--keep-profiles", action="store_true", help="keep py-spy raw output")
    parser.add_argument("--quick", action="store_true", help="a short smoke run (not for records)")
    parser.add_argument("--output", type=Path, default=RESULTS / "latest.json")
    parser.add_argument("--no-report", action="store_true", help="do not rewrite the doc/chart")
    args = parser.parse_args(argv)
    if args.quick:
        args.duration, args.warmup, args.rounds = 2, 1, 1
        args.generation_runs, args.page_repeat, args.deep_rows = 1, 5, 20_000
    bounds = {
        "duration": (1, 60),
        "warmup": (0.5, 30),
        "rounds": (1, 5),
        "connections": (1, 256),
        "threads": (1, 4),
        "rows": (100, 1_000_000),
        "deep_rows": (1_000, 1_000_000),
        "page_repeat": (1, 500),
        "generation_runs": (1, 20),
    }
    for name, (low, high) in bounds.items():
        if not low <= getattr(args, name) <= high:
            parser.error(f"--{name.replace('_', '-')} must be between {low} and {high}")
    if args.client == "auto":
        args.client = "wrk" if load.wrk_available() else "httpx"
    elif args.client == "wrk" and not load.wrk_available():
        parser.error("wrk is not installed: apt-get update && apt-get install -y wrk")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    signal.signal(signal.SIGTERM, _stop)
    if args.client == "httpx":
        why = "chosen" if load.wrk_available() else "wrk not found (apt-get install -y wrk)"
        print(
            f"[bench] {why}: using the bounded httpx client, whose figures are not "
            "comparable with wrk's",
            file=sys.stderr,
        )
    problem = postgres_reachable()
    if problem is not None:
        print(
            f"PostgreSQL is not reachable on 127.0.0.1:5432 as postgres ({problem}).\n"
            "Start it: pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start",
            file=sys.stderr,
        )
        return 2
    options = sys.argv[1:] if argv is None else argv
    command = " ".join(["bench/run.sh", *options])
    results: dict[str, Any] = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "command": command,
        "machine": machine_info(),
        "backsmith": source_state(),
        "settings": {
            key: getattr(args, key)
            for key in (
                "duration",
                "warmup",
                "rounds",
                "connections",
                "threads",
                "rows",
                "deep_rows",
                "page_repeat",
                "generation_runs",
                "client",
                "quick",
            )
        },
        "load_average": {},
    }
    if "generation" not in args.skip:
        with timed("generation"):
            results["generation"] = [
                generation.measure(document, args.generation_runs)
                for document in generation.DEFAULT_DOCUMENTS
            ]
        results["load_average"]["after generation"] = load_average()

    database = f"backsmith_bench_{os.getpid()}"
    scratch = Path(tempfile.mkdtemp(prefix="backsmith-bench-"))
    api_phases = {"queries", "throughput", "pagination"} - set(args.skip)
    try:
        if api_phases:
            create_database(database)
            with timed("generating and migrating the clinic app"):
                project = target.generate(scratch, database)
                env = {
                    "DATABASE_URL": project.url,
                    "SECRET_KEY": secrets.token_urlsafe(48),
                }
                target.migrate(project, env)
                owner_id = target.create_user(project, env)
                target.seed(pg_dsn(database), owner_id, args.rows)
            with Server("generated", "app.main:app", project.path, env) as server:
                token = target.token(server.base_url)
            if "queries" in api_phases:
                with timed("statements per request"):
                    results["query_cost"] = query_cost(project, env, token)
                target.trim(pg_dsn(database), args.rows)
            if "throughput" in api_phases:
                with timed("throughput"):
                    results["throughput"] = throughput(project, env, token, args, args.rows)
                results["load_average"]["after throughput"] = load_average()
                if args.profile:
                    with timed("profiles"):
                        results["profiles"] = profiles(project, env, token, args, args.rows)
            if "pagination" in api_phases:
                with timed("pagination depth"):
                    results["pagination"] = pagination(project, env, token, owner_id, args)
                results["load_average"]["after pagination"] = load_average()
    finally:
        if api_phases:
            drop_database(database)
        shutil.rmtree(scratch, ignore_errors=True)

    results["goals"] = goals(results)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(results, indent=1, default=str) + "\n")
    shown = args.output.relative_to(ROOT) if args.output.is_relative_to(ROOT) else args.output
    print(f"[bench] figures: {shown}", file=sys.stderr)
    if not args.no_report:
        import report

        report.write(results)
    for goal in results["goals"]:
        print(f"{'met' if goal['met'] else 'NOT met'}: {goal['goal']}: {goal['measured']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
