"""One Alembic command through its API, in the project's interpreter (the migrations gate).

`python alembic_command.py URL COMMAND [ARGUMENTS...]`, in the project: runs the command as
the projects' own tests do, with `sqlalchemy.url` set to the scratch database URL (which
env.py files usually prefer); an Alembic error is one line on stderr and exit status 1.
`BACKSMITH_ALEMBIC_CONFIG` names the configuration (default `alembic.ini`); the command
runs in its folder, as `alembic` run beside it would, since Alembic reads a relative
`script_location` from the current directory.
"""

from __future__ import annotations

import os
import sys

from alembic import command
from alembic.config import Config
from alembic.util import CommandError


def main(url: str, name: str, *arguments: str) -> int:
    ini = os.path.abspath(os.environ.get("BACKSMITH_ALEMBIC_CONFIG", "alembic.ini"))
    os.chdir(os.path.dirname(ini))
    config = Config(ini)
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    try:
        getattr(command, name)(config, *arguments)
    except CommandError as error:
        print(f"FAILED: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.path[0] = os.getcwd()  # the project, where `python -c` would have put it
    sys.exit(main(*sys.argv[1:]))
