"""Wall time and peak memory of `backsmith new --feature DOC` (new + implement, no gates).

    .venv/bin/python bench/generation.py [DOC ...] [--runs N] [--json]

Each run is a fresh process generating into a fresh directory, as a user would run it.
Prints one line per document: median and best wall time, median CPU time (user + system,
the process and every child it waited for: Alembic, ruff), and the peak RSS of the
largest of those processes. `--json` prints the figures as one JSON document instead.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).parent
DEFAULT_DOCUMENTS = [
    HERE / "documents" / "two_entities.md",
    HERE / "documents" / "five_entities.md",
    HERE / "documents" / "twenty_entities.md",
]
RUN_TIMEOUT_S = 300


def one_run(document: Path) -> tuple[float, int, float]:
    """(wall seconds, peak RSS KiB, CPU seconds) of one `backsmith new --feature` process.

    `os.wait4` gives the resource usage of this child alone (with its own waited-for
    children), so runs do not contaminate each other's peak as RUSAGE_CHILDREN would.
    """
    with tempfile.TemporaryDirectory() as scratch:
        command = [sys.executable, "-m", "backsmith", "new", "demo", "-C", scratch]
        command += ["--feature", str(document)]
        errors = Path(scratch) / "stderr.txt"
        start = time.perf_counter()
        with errors.open("wb") as sink:
            process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=sink)
        deadline = start + RUN_TIMEOUT_S
        while True:
            pid, status, usage = os.wait4(process.pid, os.WNOHANG)
            if pid:
                break
            if time.perf_counter() > deadline:
                process.kill()
                raise TimeoutError(f"backsmith new took over {RUN_TIMEOUT_S} s on {document}")
            time.sleep(0.005)
        elapsed = time.perf_counter() - start
        process.returncode = os.waitstatus_to_exitcode(status)
        if process.returncode != 0:
            message = errors.read_text(errors="replace")[-3000:]
            raise RuntimeError(f"backsmith new failed on {document}:\n{message}")
    return elapsed, usage.ru_maxrss, usage.ru_utime + usage.ru_stime


def entity_count(document: Path) -> int:
    from backsmith.spec import load_feature

    return len(load_feature(document).entities)


def measure(document: Path, runs: int) -> dict[str, object]:
    results = [one_run(document) for _ in range(runs)]
    times = [elapsed for elapsed, _, _ in results]
    return {
        "document": str(
            document.relative_to(HERE.parent) if document.is_relative_to(HERE.parent) else document
        ),
        "entities": entity_count(document),
        "runs": runs,
        "wall_s": [round(value, 3) for value in times],
        "median_s": round(statistics.median(times), 3),
        "best_s": round(min(times), 3),
        "cpu_median_s": round(statistics.median(cpu for _, _, cpu in results), 3),
        "peak_rss_mib": round(max(kib for _, kib, _ in results) / 1024, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("documents", nargs="*", type=Path, default=DEFAULT_DOCUMENTS)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    args = parser.parse_args()
    if args.runs < 1 or args.runs > 50:
        parser.error("--runs must be between 1 and 50")
    figures = [measure(document.resolve(), args.runs) for document in args.documents]
    if args.json:
        print(json.dumps(figures))
        return
    print(f"{'document':<40} {'median s':>9} {'best s':>7} {'cpu s':>6} {'peak MiB':>9}")
    for row in figures:
        print(
            f"{Path(str(row['document'])).name:<40} {row['median_s']:>9.2f} {row['best_s']:>7.2f}"
            f" {row['cpu_median_s']:>6.2f} {row['peak_rss_mib']:>9.0f}"
        )


if __name__ == "__main__":
    main()
