#!/usr/bin/env bash
# Run every benchmark and record the results (docs/benchmarks.md says what and how).
#
#   bench/run.sh                 the full run: about 8 minutes on 2 cores
#   bench/run.sh --profile       also profile both apps with py-spy
#   bench/run.sh --quick         a short smoke run (figures not worth recording)
#   bench/run.sh --help          every option
#
# Needs: the project's .venv (make setup), PostgreSQL on 127.0.0.1:5432 (user postgres,
# trust auth) and, for the load, wrk (apt-get update && apt-get install -y wrk); without
# wrk a bounded httpx client in a separate process is used instead.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=.venv/bin/python
if [ ! -x "$PYTHON" ]; then
    echo "no .venv here: run 'make setup' first" >&2
    exit 2
fi
"$PYTHON" -m pip install --quiet --disable-pip-version-check -r bench/requirements.txt
if ! command -v wrk >/dev/null 2>&1; then
    echo "wrk is not installed (apt-get update && apt-get install -y wrk);" \
         "falling back to the bounded httpx client" >&2
fi
exec "$PYTHON" bench/run.py "$@"
