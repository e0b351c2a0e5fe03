"""Alembic autogenerate in a copy of the project, in its interpreter (`backsmith.migrations`).

`python autogenerate.py MESSAGE [URL]`, in the project copy: migrates its scratch database
to the current head, then writes the revision Alembic's autogenerate finds. URL, when
given, is handed to Alembic as `sqlalchemy.url`. Usually run by `alembic_worker.py`.
"""

from __future__ import annotations

import argparse
import os
import sys

from alembic import command
from alembic.config import Config

HOOKS = "post_write_hooks"


def exec_ruff_directly(config: Config) -> None:
    """A `module` hook for ruff starts an interpreter only to exec ruff's binary: exec it."""
    if not config.file_config.has_section(HOOKS):
        return
    for name in (config.get_section_option(HOOKS, "hooks") or "").replace(",", " ").split():
        kind = config.get_section_option(HOOKS, name + ".type")
        module = config.get_section_option(HOOKS, name + ".module")
        if kind != "module" or module != "ruff":
            continue
        try:
            from ruff import find_ruff_bin
        except ImportError:
            return  # Alembic reports the missing module, as before
        executable = find_ruff_bin().replace("%", "%%")
        config.set_section_option(HOOKS, name + ".type", "exec")
        config.set_section_option(HOOKS, name + ".executable", executable)


def main(message: str, url: str | None = None) -> None:
    config = Config("alembic.ini")
    config.attributes["configure_logger"] = False
    if url is not None:
        config.set_main_option("sqlalchemy.url", url)
    config.cmd_opts = argparse.Namespace(autogenerate=True)
    exec_ruff_directly(config)
    command.upgrade(config, "head")
    command.revision(config, message=message, autogenerate=True)


if __name__ == "__main__":
    sys.path[0] = os.getcwd()  # the project copy, where `python -c` would have put it
    main(*sys.argv[1:3])
