"""A process that imports Alembic and SQLAlchemy, then waits for one job on stdin.

`backsmith.migrations` starts it while a feature is still being rendered, so the imports
overlap the rendering. The job (one JSON line: root, env, argv, script) runs `script` as
`python script ARGV...` would, in the project copy `root`. EOF: nothing to do.
"""

from __future__ import annotations

import contextlib
import json
import os
import runpy
import sys

for name in ("alembic.command", "alembic.autogenerate", "sqlalchemy.orm"):
    try:
        __import__(name)
    except Exception:
        break  # the job reports what is missing, as it did without the head start
# What the env.py and models of async FastAPI projects (all of backsmith's) import.
for name in ("sqlalchemy.ext.asyncio", "pydantic_settings"):
    with contextlib.suppress(Exception):  # only a head start: the job imports what it needs
        __import__(name)


def main() -> None:
    sys.dont_write_bytecode = True  # the project copy's bytecode would be deleted with it
    line = sys.stdin.readline()
    if not line:
        os._exit(0)
    job = json.loads(line)
    os.chdir(job["root"])
    os.environ.update(job["env"])
    # Nothing of backsmith's folder on the path: the project copy is what the job imports.
    sys.path[0] = job["root"]
    sys.argv = [job["script"], *job["argv"]]
    runpy.run_path(job["script"], run_name="__main__")
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)  # the revision is written: tearing down the imported modules is wasted time


if __name__ == "__main__":
    main()
