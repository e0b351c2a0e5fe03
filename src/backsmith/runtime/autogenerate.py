"""Alembic autogenerate in a copy of the project, in its interpreter (`backsmith.migrations`).

`python autogenerate.py MESSAGE [URL]`, in the project copy: migrates its scratch database
to the current head, then writes the revision Alembic's autogenerate finds. URL, when
given, is handed to Alembic as `sqlalchemy.url`. Usually run by `alembic_worker.py`.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import sys
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.operations import ops
from sqlalchemy import ForeignKeyConstraint

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


def defer_foreign_keys_in_cycles(
    context: Any, revision: Any, directives: list[ops.MigrationScript]
) -> None:
    """Alembic creates a revision's new tables in dependency order, which a cycle of foreign
    keys (A -> B -> A) does not have (sqlalchemy/alembic#326): PostgreSQL then refuses the
    first table, whose key names a table not made yet. Each such key is added once every
    table exists, and dropped before any table in the downgrade. A key the project's
    metadata leaves unnamed (no naming convention) gets a name: SQLite's batch mode,
    which adds it by remaking the table, refuses an unnamed one, and so does its drop."""
    for script in directives:
        for upgrade, downgrade in zip(
            script.upgrade_ops_list, script.downgrade_ops_list, strict=True
        ):
            creates = [op for op in upgrade.ops if isinstance(op, ops.CreateTableOp)]
            later = {op.table_name for op in creates}
            deferred: list[ForeignKeyConstraint] = []
            for op in creates:
                later.discard(op.table_name)
                ahead = [
                    item
                    for item in op.columns
                    if isinstance(item, ForeignKeyConstraint) and item.referred_table.name in later
                ]
                op.columns = [item for item in op.columns if not any(item is key for key in ahead)]
                deferred += ahead
            for key in deferred:
                table = key.table.name
                create = ops.CreateForeignKeyOp.from_constraint(key)
                drop = ops.DropConstraintOp.from_constraint(key)
                if create.constraint_name is None:
                    name = _key_name(table, [c.name for c in key.columns], key.referred_table.name)
                    create.constraint_name = drop.constraint_name = name
                upgrade.ops.append(ops.ModifyTableOps(table, [create]))
                downgrade.ops.insert(0, ops.ModifyTableOps(table, [drop]))


def _key_name(table: str, columns: list[str], referred: str) -> str:
    """`fk_<table>_<columns>_<referred>`, cut with a stable hash to PostgreSQL's 63."""
    name = f"fk_{table}_{'_'.join(columns)}_{referred}"
    if len(name) <= 63:
        return name
    digest = hashlib.sha256(name.encode()).hexdigest()[:8]
    return f"{name[:54]}_{digest}"


def main(message: str, url: str | None = None) -> None:
    config = Config("alembic.ini")
    config.attributes["configure_logger"] = False
    if url is not None:
        config.set_main_option("sqlalchemy.url", url)
    config.cmd_opts = argparse.Namespace(autogenerate=True)
    exec_ruff_directly(config)
    command.upgrade(config, "head")
    command.revision(
        config,
        message=message,
        autogenerate=True,
        process_revision_directives=defer_foreign_keys_in_cycles,
    )


if __name__ == "__main__":
    sys.path[0] = os.getcwd()  # the project copy, where `python -c` would have put it
    main(*sys.argv[1:3])
