"""Wall time and peak memory of `backsmith new --feature DOC` (new + implement, no tests).

    .venv/bin/python bench/generation.py [DOC ...] [--runs N]

Each run is a fresh process generating into a fresh directory, as a user would run it.
Prints one line per document: median and best wall time, peak RSS of the process.
"""

from __future__ import annotations

import argparse
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).parent
DEFAULT_DOCUMENTS = [HERE / "documents" / "two_entities.md"]


def one_run(document: Path) -> tuple[float, int]:
    with tempfile.TemporaryDirectory() as scratch:
        before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        start = time.perf_counter()
        subprocess.run(
            [
                sys.executable,
                "-m",
                "backsmith",
                "new",
                "demo",
                "-C",
                scratch,
                "--feature",
                str(document),
            ],
            check=True,
            capture_output=True,
        )
        elapsed = time.perf_counter() - start
        peak_kib = max(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, before)
    return elapsed, peak_kib


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("documents", nargs="*", type=Path, default=DEFAULT_DOCUMENTS)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    print(f"{'document':<40} {'median s':>9} {'best s':>7} {'peak MiB':>9}")
    for document in args.documents:
        results = [one_run(document) for _ in range(args.runs)]
        times = [elapsed for elapsed, _ in results]
        peak = max(kib for _, kib in results) / 1024
        print(
            f"{document.name:<40} {statistics.median(times):>9.2f} {min(times):>7.2f} {peak:>9.0f}"
        )


if __name__ == "__main__":
    main()
