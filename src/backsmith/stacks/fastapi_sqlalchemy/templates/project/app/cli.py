"""Administration commands: `python -m app.cli create-user EMAIL PASSWORD --role NAME`
(`--tenant NAME` puts the user in a tenant)."""

import argparse
import asyncio
import re
import sys

from app.auth import service
from app.core.config import get_settings
from app.core.db import create_engine, create_sessionmaker
from app.core.errors import DomainError

ROLE_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
TENANT_NAME = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


async def create_user(email: str, password: str, roles: list[str], tenant: str | None) -> int:
    engine = create_engine(get_settings().database_url)
    try:
        async with create_sessionmaker(engine)() as session, session.begin():
            user = await service.create_user(session, email, password, roles, tenant)
            return user.id
    finally:
        await engine.dispose()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m app.cli")
    commands = parser.add_subparsers(dest="command", required=True)
    create = commands.add_parser("create-user", help="create a user, optionally with roles")
    create.add_argument("email")
    create.add_argument("password")
    create.add_argument("--role", action="append", default=[], help="a role (repeatable)")
    create.add_argument("--tenant", help="the tenant (organization) the user belongs to")
    args = parser.parse_args(argv)

    bad_roles = [role for role in args.role if not ROLE_NAME.match(role)]
    if bad_roles:
        parser.error(f"invalid role name(s): {', '.join(bad_roles)} (use snake_case)")
    if args.tenant is not None and not TENANT_NAME.match(args.tenant):
        parser.error(f"invalid tenant {args.tenant!r} (1 to 64 letters, digits, '-' or '_')")
    if len(args.password) < 8:
        parser.error("the password must have at least 8 characters")
    try:
        user_id = asyncio.run(create_user(args.email, args.password, args.role, args.tenant))
    except DomainError as error:
        print(f"error: {error.detail}", file=sys.stderr)
        return 1
    roles = ", ".join(sorted(set(args.role))) or "no roles"
    tenant = f", in tenant {args.tenant}" if args.tenant else ""
    print(f"created user {user_id} <{args.email}> with {roles}{tenant}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
