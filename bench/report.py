"""Turn bench/results/latest.json into the results section of docs/benchmarks.md and a chart.

    .venv/bin/python bench/report.py [bench/results/latest.json]

Only the part of docs/benchmarks.md between the two `bench:results` markers is rewritten;
the method and the analysis around it are written by hand.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
DOC = ROOT / "docs" / "benchmarks.md"
CHART = HERE / "results" / "ratios.png"
START = "<!-- bench:results:start (written by bench/report.py from bench/results/latest.json) -->"
END = "<!-- bench:results:end -->"

TEMPLATE = f"""# Benchmarks

{START}
{END}
"""


def _table(header: list[str], rows: list[list[Any]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines)


def _machine(results: dict[str, Any]) -> str:
    machine = results["machine"]
    packages = ", ".join(f"{k} {v}" for k, v in machine["packages"].items() if v)
    missing = ", ".join(k for k, v in machine["packages"].items() if not v)
    loads = "; ".join(
        f"{phase}: {' '.join(str(x) for x in values)}"
        for phase, values in {
            "at start": machine.get("load_average_at_start"),
            **results.get("load_average", {}),
        }.items()
        if values
    )
    rows = [
        ["date (UTC)", results["date"]],
        ["command", f"`{results['command']}`"],
        [
            "backsmith",
            f"commit {results.get('backsmith', {}).get('commit')}"
            + (
                f", with uncommitted changes to {len(results['backsmith']['src_changes'])} "
                "file(s) under src/ (see latest.json)"
                if results.get("backsmith", {}).get("src_changes")
                else ""
            ),
        ],
        ["cores (`nproc`)", machine["nproc"]],
        ["memory", f"{machine['memory_gib']} GiB"],
        ["CPU", machine["cpu_model"]],
        ["OS", machine["platform"]],
        ["Python", machine["python"]],
        ["PostgreSQL", machine["postgresql"]],
        ["load generator", machine.get("wrk") or "httpx client (bench/load.py)"],
        ["packages", packages + (f" (not installed: {missing})" if missing else "")],
        ["load average (1, 5, 15 min)", loads],
    ]
    settings = results["settings"]
    rows.append(
        [
            "settings",
            f"{settings['rounds']} rounds x {settings['warmup']:g} s warm-up + "
            f"{settings['duration']:g} s per scenario, {settings['connections']} connections, "
            f"{settings['threads']} wrk thread(s), {settings['rows']} rows; client "
            f"{settings['client']}"
            + (" (QUICK SMOKE RUN: not a record)" if settings["quick"] else ""),
        ]
    )
    return _table(["", ""], rows)


def _goals(results: dict[str, Any]) -> str:
    rows = [
        [
            goal["goal"],
            goal["measured"],
            ("met" if goal["met"] else "**not met**")
            + (f" ({goal['note']})" if goal.get("note") else ""),
        ]
        for goal in results.get("goals", [])
    ]
    return _table(["goal", "measured", ""], rows)


def _generation(results: dict[str, Any]) -> str:
    rows = [
        [
            f"`{Path(row['document']).name}`",
            row["entities"],
            row["runs"],
            f"{row['median_s']:.2f}",
            f"{row['best_s']:.2f}",
            f"{row['cpu_median_s']:.2f}",
            f"{row['peak_rss_mib']:.0f}",
        ]
        for row in results["generation"]
    ]
    return _table(
        [
            "document",
            "entities",
            "runs",
            "median wall s",
            "best wall s",
            "median CPU s",
            "peak RSS MiB",
        ],
        rows,
    )


def _throughput(results: dict[str, Any]) -> str:
    scenarios = results["throughput"]["scenarios"]
    rows = []
    for scenario, entry in scenarios.items():
        for app in ("generated", "baseline"):
            figures = entry[app]
            rows.append(
                [
                    scenario,
                    app,
                    f"{figures['rps']:.0f}",
                    f"{figures['p50_ms']:.1f}",
                    f"{figures['p99_ms']:.1f}",
                    f"{figures['cpu_us_per_request']:.0f} "
                    f"({figures['cpu_user_us_per_request']:.0f} + "
                    f"{figures['cpu_system_us_per_request']:.0f})",
                    f"{figures['new_db_connections_per_run']:.0f}",
                    f"{figures['errors']:.0f}",
                ]
            )
        rows.append(
            [
                scenario,
                "**generated / baseline**",
                f"**{entry['ratio_rps']:.2f}x**",
                f"{entry['ratio_p50']:.2f}x",
                f"{entry['ratio_p99']:.2f}x",
                f"{entry['ratio_cpu_per_request']:.2f}x",
                "",
                "",
            ]
        )
    table = _table(
        [
            "scenario",
            "app",
            "req/s",
            "p50 ms",
            "p99 ms",
            "server CPU µs/request (user + sys)",
            "new DB connections per run",
            "non-2xx",
        ],
        rows,
    )
    per_round = _table(
        ["scenario", "req/s ratio in each round"],
        [
            [scenario, ", ".join(f"{r:.2f}" for r in entry["ratio_rps_per_round"])]
            for scenario, entry in scenarios.items()
        ],
    )
    return f"{table}\n\nMedians over the rounds; the ratio of each round:\n\n{per_round}"


def _query_cost(results: dict[str, Any]) -> str:
    cost = results["query_cost"]
    labels = {
        "list_10": "list, 10 rows",
        "list_50": "list, 50 rows",
        "list_100": "list, 100 rows",
        "list_20_next_page": "list, 20 rows, with a cursor",
        "read": "read by id",
        "create": "create",
    }
    rows = [
        [
            text,
            ", ".join(str(n) for n in cost[key]["statements_per_request"]),
            ", ".join(str(n) for n in cost[key]["driver_calls_per_request"]),
        ]
        for key, text in labels.items()
        if key in cost
    ]
    table = _table(
        ["request", "SQL statements per request (5 requests)", "driver round trips per request"],
        rows,
    )
    sample = cost.get("list_10", {})
    calls = "\n".join(f"{i + 1}. `{call}`" for i, call in enumerate(sample.get("driver_calls", [])))
    create = cost.get("create", {})
    create_calls = "\n".join(
        f"{i + 1}. `{call}`" for i, call in enumerate(create.get("driver_calls", []))
    )
    return (
        f"{table}\n\nThe driver calls of one list request (asyncpg, in order):\n\n{calls}\n\n"
        f"and of one create:\n\n{create_calls}"
    )


def _pagination(results: dict[str, Any]) -> str:
    page = results["pagination"]
    rows = []
    for sort, entry in page["sorts"].items():
        for app in ("generated", "baseline"):
            if app not in entry:
                continue
            first, deep = entry[app]["first"], entry[app]["deep"]
            ratio = entry[f"ratio_{app}"]
            rows.append(
                [
                    f"`sort={sort}`",
                    app,
                    f"{first['p50_ms']:.2f} / {first['p90_ms']:.2f}",
                    f"{deep['p50_ms']:.2f} / {deep['p90_ms']:.2f}",
                    f"**{ratio:.2f}x**",
                ]
            )
    table = _table(
        [
            "order",
            "app",
            "first page p50 / p90 ms",
            f"page after row {page['depth']:,} p50 / p90 ms",
            "deep / first (p50)",
        ],
        rows,
    )
    plans = []
    for sort, explain in page.get("explain", {}).items():
        for label in ("first", "deep"):
            if label in explain:
                plan = "\n".join(explain[label]["plan"])
                plans.append(f"`sort={sort}`, {label} page:\n\n```\n{plan}\n```")
    return (
        f"{page['rows']:,} appointments, all owned by the caller; {page['repeat']} sequential "
        f"requests per page over HTTP (keep-alive), first and deep interleaved.\n\n{table}\n\n"
        "The generated app's list query, as PostgreSQL ran it (`EXPLAIN (ANALYZE, BUFFERS)` "
        "of the captured SQL and parameters):\n\n" + "\n\n".join(plans)
    )


def _profiles(results: dict[str, Any]) -> str:
    profiles = results["profiles"]
    apps = profiles["apps"]
    header = ["", *[f"{app} {scenario}" for app in apps for scenario in apps[app]]]
    columns = [(app, scenario) for app in apps for scenario in apps[app]]
    labels: list[str] = []
    for app, scenario in columns:
        for label in apps[app][scenario]["focus_us"]:
            if label not in labels:
                labels.append(label)
    rows = [
        ["**Python time per request (all)**"]
        + [f"**{apps[a][s]['us_per_request']}**" for a, s in columns]
    ]
    rows += [
        [label] + [apps[a][s]["focus_us"].get(label, "") for a, s in columns] for label in labels
    ]
    roots: list[str] = []
    for app, scenario in columns:
        for root, value in apps[app][scenario].get("greenlet_us", {}).items():
            if value >= 5 and root not in roots:  # below that: a torn sample, not a cost
                roots.append(root)
    rows += [
        [f"SQLAlchemy ORM in its greenlet: `{root}`"]
        + [apps[a][s].get("greenlet_us", {}).get(root, "") for a, s in columns]
        for root in roots
    ]
    focus = _table(header, rows)
    libraries: list[str] = []
    for app, scenario in columns:
        for name in apps[app][scenario]["by_library_us"]:
            if name not in libraries:
                libraries.append(name)
    library_rows = [
        [name] + [apps[a][s]["by_library_us"].get(name, "") for a, s in columns]
        for name in libraries
    ]
    by_library = _table(header, library_rows)
    return (
        f"py-spy, {profiles['rate_hz']} Hz for {profiles['seconds']} s per scenario under the "
        "same load, GIL-holding samples only (Python work; not system calls, not waiting): "
        "µs per request, inclusive (a function and what it calls). SQLAlchemy's async layer "
        "runs the ORM on a greenlet with a stack of its own, so the ORM work a dependency or "
        "service triggers is not inside that function's row: it is in the rows "
        '"SQLAlchemy ORM in its greenlet", by the Session method that started it '
        "(`Session.get` is the auth dependency's user load; `Session.scalar` the service's "
        "single-row queries; `Session.execute` the list query; `Session.flush` the INSERT).\n\n"
        f"{focus}\n\nThe same time by library (self time: the library's own code running):\n\n"
        f"{by_library}"
    )


def section(results: dict[str, Any]) -> str:
    parts = [
        "## Results of the recorded run",
        _machine(results),
        "### Goals",
        _goals(results),
    ]
    if "generation" in results:
        parts += [
            "### Generation (`backsmith new --feature`, gates excluded)",
            _generation(results),
        ]
    if "throughput" in results:
        parts += [
            "### API throughput: generated app vs hand-written asyncpg baseline",
            _throughput(results),
            "![generated / baseline ratios](../bench/results/ratios.png)",
        ]
    if "query_cost" in results:
        parts += ["### Query cost (generated app, in process)", _query_cost(results)]
    if "pagination" in results:
        parts += ["### Pagination depth", _pagination(results)]
    if "profiles" in results:
        parts += ["### Where the generated app spends its time", _profiles(results)]
    return "\n\n".join(parts)


def chart(results: dict[str, Any], path: Path = CHART) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, (left, right) = plt.subplots(1, 2, figsize=(11, 4.2))
    scenarios = results.get("throughput", {}).get("scenarios", {})
    if scenarios:
        names = list(scenarios)
        ratios = [scenarios[name]["ratio_rps"] for name in names]
        cpu = [1 / scenarios[name]["ratio_cpu_per_request"] for name in names]
        positions = range(len(names))
        left.bar([p - 0.2 for p in positions], ratios, width=0.4, label="req/s ratio")
        left.bar(
            [p + 0.2 for p in positions],
            cpu,
            width=0.4,
            label="baseline CPU / generated CPU per request",
        )
        for p, value in zip(positions, ratios, strict=True):
            left.annotate(f"{value:.2f}", (p - 0.2, value), ha="center", va="bottom")
        for p, value in zip(positions, cpu, strict=True):
            left.annotate(f"{value:.2f}", (p + 0.2, value), ha="center", va="bottom")
        left.axhline(0.7, color="red", linestyle="--", label="goal 0.7")
        left.axhline(1.0, color="grey", linewidth=0.8)
        left.set_xticks(list(positions), names)
        left.set_ylim(0, max(1.1, *ratios, *cpu) * 1.1)
        left.set_title("generated / baseline (higher is better)")
        left.legend(loc="upper right", fontsize=8)
    sorts = results.get("pagination", {}).get("sorts", {})
    if sorts:
        labels, values = [], []
        for sort, entry in sorts.items():
            for app in ("generated", "baseline"):
                if f"ratio_{app}" in entry:
                    labels.append(f"{app}\nsort={sort}")
                    values.append(entry[f"ratio_{app}"])
        right.bar(range(len(values)), values, color="tab:orange")
        for p, value in enumerate(values):
            right.annotate(f"{value:.2f}", (p, value), ha="center", va="bottom")
        right.axhline(1.5, color="red", linestyle="--", label="goal 1.5")
        right.set_xticks(range(len(labels)), labels, fontsize=8)
        right.set_ylim(0, max(1.7, *values) * 1.1)
        right.set_title("deep page / first page latency (lower is better)")
        right.legend(loc="upper right", fontsize=8)
    figure.suptitle(f"backsmith benchmarks, {results['date']}", fontsize=10)
    figure.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=110)
    plt.close(figure)


def write(results: dict[str, Any], doc: Path = DOC) -> None:
    text = doc.read_text() if doc.exists() else TEMPLATE
    if START not in text or END not in text:
        text = text.rstrip() + f"\n\n{START}\n{END}\n"
    before, rest = text.split(START, 1)
    _, after = rest.split(END, 1)
    text = f"{before}{START}\n\n{section(results)}\n\n{END}{after}"
    doc.write_text(text if text.endswith("\n") else text + "\n")
    if "throughput" in results or "pagination" in results:
        chart(results)
    print(f"[bench] wrote {doc.relative_to(ROOT)} and {CHART.relative_to(ROOT)}", file=sys.stderr)


def main() -> None:
    source = Path(sys.argv[1]) if len(sys.argv) > 1 else HERE / "results" / "latest.json"
    write(json.loads(source.read_text()))


if __name__ == "__main__":
    main()
