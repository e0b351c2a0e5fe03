"""Load from a separate process: wrk with a Lua script, or a bounded httpx client.

A scenario is one of:
    list    GET /appointments?limit=20            (a page of 20; each row has doctor_id)
    read    GET /appointments/{random id}          (ids 1..rows, all readable by the caller)
    create  POST /appointments                     (a fresh (doctor, starts_at) each time)

Each run is bounded: a fixed duration (wrk -d, or the client's deadline) and, for the
httpx client, a maximum request count. Only 127.0.0.1 is ever targeted.

Run as a script, this module is the httpx fallback client:
    python bench/load.py URL SCENARIO TOKEN --duration 10 --connections 16 --rows 10000
It prints one JSON line with the same fields as the wrk script's summary.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlparse

SCENARIOS = ("list", "read", "create")
DOCTORS = 100
LIST_PATH = "/appointments?limit=20"
# starts_at of created rows: far after the seeded ones, a fresh range per run and thread.
CREATE_EPOCH = int(datetime(2100, 1, 1, tzinfo=UTC).timestamp())
# One second apart: 10 million requests per thread and run, 4 threads at most, so run
# number n (< 250) stays below the year 2500, within every date type on the way.
THREAD_SPAN_S = 10**7
RUN_SPAN_S = 4 * THREAD_SPAN_S
MAX_REQUESTS = 2_000_000  # the httpx client's hard bound, whatever the duration

WRK_SCRIPT = r"""
-- backsmith bench: one scenario, parameters substituted by bench/load.py
local token = "@TOKEN@"
local kind = "@KIND@"
local rows = @ROWS@
local doctors = @DOCTORS@
local base = @BASE@
local span = @SPAN@
local counter = 0
local threads = {}

function setup(thread)
  thread:set("thread_id", #threads)
  table.insert(threads, thread)
end

function init(args)
  local id = thread_id or 0
  math.randomseed(4242 + id)
  base = base + id * span
  wrk.headers["Authorization"] = "Bearer " .. token
  if kind == "create" then
    wrk.headers["Content-Type"] = "application/json"
  end
end

function request()
  if kind == "list" then
    return wrk.format("GET", "@LIST_PATH@")
  elseif kind == "read" then
    return wrk.format("GET", "/appointments/" .. math.random(1, rows))
  end
  counter = counter + 1
  local starts = os.date("!%Y-%m-%dT%H:%M:%SZ", base + counter)
  local body = string.format(
    '{"starts_at":"%s","doctor_id":%d,"minutes":30,"reason":"Booked by the benchmark"}',
    starts, math.random(1, doctors))
  return wrk.format("POST", "/appointments", nil, body)
end

function done(summary, latency, requests)
  io.write(string.format(
    'BENCH_JSON {"requests":%d,"duration_us":%d,"bytes":%d,"errors_connect":%d,' ..
    '"errors_read":%d,"errors_write":%d,"errors_status":%d,"errors_timeout":%d,' ..
    '"p50_us":%.1f,"p90_us":%.1f,"p99_us":%.1f,"max_us":%.1f,"mean_us":%.1f}\n',
    summary.requests, summary.duration, summary.bytes, summary.errors.connect,
    summary.errors.read, summary.errors.write, summary.errors.status,
    summary.errors.timeout, latency:percentile(50), latency:percentile(90),
    latency:percentile(99), latency.max, latency.mean))
end
"""


def _base(run_index: int) -> int:
    if not 0 <= run_index < 250:
        raise ValueError(f"run index {run_index} is outside 0..249")
    return CREATE_EPOCH + run_index * RUN_SPAN_S


def wrk_available() -> bool:
    return shutil.which("wrk") is not None


def _check_target(url: str) -> None:
    host = urlparse(url).hostname
    if host not in ("127.0.0.1", "localhost", "::1"):
        raise ValueError(f"the benchmark only loads 127.0.0.1, not {host}")


def _summarise(result: dict[str, float]) -> dict[str, float]:
    seconds = result["duration_us"] / 1e6
    errors = sum(int(v) for k, v in result.items() if k.startswith("errors_"))
    return {
        **result,
        "rps": round(result["requests"] / seconds, 1) if seconds else 0.0,
        "ok_rps": round((result["requests"] - errors) / seconds, 1) if seconds else 0.0,
        "p50_ms": round(result["p50_us"] / 1000, 2),
        "p90_ms": round(result["p90_us"] / 1000, 2),
        "p99_ms": round(result["p99_us"] / 1000, 2),
        "errors": errors,
    }


def run_wrk(
    url: str,
    scenario: str,
    token: str,
    *,
    duration: float,
    connections: int,
    threads: int,
    rows: int,
    run_index: int,
) -> dict[str, float]:
    _check_target(url)
    script = (
        WRK_SCRIPT.replace("@TOKEN@", token)
        .replace("@KIND@", scenario)
        .replace("@ROWS@", str(rows))
        .replace("@DOCTORS@", str(DOCTORS))
        .replace("@BASE@", str(_base(run_index)))
        .replace("@SPAN@", str(THREAD_SPAN_S))
        .replace("@LIST_PATH@", LIST_PATH)
    )
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as handle:
        handle.write(script)
        path = Path(handle.name)
    try:
        command = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{max(1, round(duration))}s"]
        command += ["--timeout", "10s", "-s", str(path), url]
        out = subprocess.run(
            command, capture_output=True, text=True, timeout=duration + 60, check=True
        ).stdout
    finally:
        path.unlink(missing_ok=True)
    line = next(line for line in out.splitlines() if line.startswith("BENCH_JSON "))
    return _summarise(json.loads(line.removeprefix("BENCH_JSON ")))


def run_httpx(
    url: str,
    scenario: str,
    token: str,
    *,
    duration: float,
    connections: int,
    rows: int,
    run_index: int,
) -> dict[str, float]:
    """The fallback: this file as a script, in its own process."""
    _check_target(url)
    command = [sys.executable, __file__, url, scenario, token]
    command += ["--duration", str(duration), "--connections", str(connections)]
    command += ["--rows", str(rows), "--run-index", str(run_index)]
    out = subprocess.run(
        command, capture_output=True, text=True, timeout=duration + 60, check=True
    ).stdout
    return _summarise(json.loads(out.strip().splitlines()[-1]))


def run(
    url: str,
    scenario: str,
    token: str,
    *,
    duration: float,
    connections: int,
    threads: int,
    rows: int,
    run_index: int,
    client: str,
) -> dict[str, float]:
    if client == "wrk":
        return run_wrk(
            url,
            scenario,
            token,
            duration=duration,
            connections=connections,
            threads=threads,
            rows=rows,
            run_index=run_index,
        )
    return run_httpx(
        url,
        scenario,
        token,
        duration=duration,
        connections=connections,
        rows=rows,
        run_index=run_index,
    )


# --- the httpx client ------------------------------------------------------------------


async def _client(args: argparse.Namespace) -> dict[str, float]:
    import httpx

    headers = {"Authorization": f"Bearer {args.token}"}
    limits = httpx.Limits(
        max_connections=args.connections, max_keepalive_connections=args.connections
    )
    latencies: list[float] = []
    failures = {"status": 0, "connect": 0, "timeout": 0}
    deadline = time.perf_counter() + args.duration
    base = _base(args.run_index)
    counter = 0

    async def worker(client: httpx.AsyncClient, rng: random.Random) -> None:
        nonlocal counter
        while time.perf_counter() < deadline and len(latencies) < MAX_REQUESTS:
            if args.scenario == "list":
                send = client.get(LIST_PATH)
            elif args.scenario == "read":
                send = client.get(f"/appointments/{rng.randint(1, args.rows)}")
            else:
                counter += 1
                starts = datetime.fromtimestamp(base + counter, UTC)
                body = {
                    "starts_at": starts.strftime("%Y-%m-%dT%H:%M:%SZ"),
                    "doctor_id": rng.randint(1, DOCTORS),
                    "minutes": 30,
                    "reason": "Booked by the benchmark",
                }
                send = client.post("/appointments", json=body)
            start = time.perf_counter()
            try:
                response = await send
            except httpx.TimeoutException:
                failures["timeout"] += 1
                continue
            except httpx.TransportError:
                failures["connect"] += 1
                continue
            latencies.append(time.perf_counter() - start)
            if response.status_code >= 400:
                failures["status"] += 1

    async with httpx.AsyncClient(
        base_url=args.url, headers=headers, limits=limits, timeout=10
    ) as client:
        started = time.perf_counter()
        generators = [random.Random(4242 + i) for i in range(args.connections)]  # noqa: S311
        await asyncio.gather(*(worker(client, rng) for rng in generators))
        elapsed = time.perf_counter() - started
    latencies.sort()

    def percentile(p: float) -> float:
        if not latencies:
            return 0.0
        return latencies[min(len(latencies) - 1, int(len(latencies) * p / 100))] * 1e6

    return {
        "requests": len(latencies),
        "duration_us": round(elapsed * 1e6),
        "bytes": 0,
        "errors_connect": failures["connect"],
        "errors_read": 0,
        "errors_write": 0,
        "errors_status": failures["status"],
        "errors_timeout": failures["timeout"],
        "p50_us": percentile(50),
        "p90_us": percentile(90),
        "p99_us": percentile(99),
        "max_us": latencies[-1] * 1e6 if latencies else 0.0,
        "mean_us": statistics.fmean(latencies) * 1e6 if latencies else 0.0,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description="bounded httpx load client (wrk fallback)")
    parser.add_argument("url")
    parser.add_argument("scenario", choices=SCENARIOS)
    parser.add_argument("token")
    parser.add_argument("--duration", type=float, default=10)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--run-index", type=int, default=0)
    args = parser.parse_args()
    _check_target(args.url)
    if not 0 < args.duration <= 120 or not 0 < args.connections <= 256:
        parser.error("duration must be in (0, 120] s and connections in 1..256")
    print(json.dumps(asyncio.run(_client(args))))


if __name__ == "__main__":
    main()
