"""How the fuzz gate sets up a project backsmith did not make, from its profile.

The harness needs the app, a scratch database the app uses, and a token of a real user.
For a project made by `backsmith new` it knows the layout. For any other, everything
comes from the profile and from the app's own OpenAPI document:

- the app: the one the project serves (`served_app.py`: its run command, else the
  profile's `app` fact; the app, or the factory that makes it);
- the database: the scratch URL in the variable the project's settings read
  (`database.py`), migrated by the project's Alembic;
- the user: a row of the profile's `user_model`, its password column filled by the
  project's own hashing function (a module-level function named like `hash_password`
  or `get_password_hash`, found with `ast`), its `is_*` flags set (active, superuser:
  every privilege, as a generated project's fuzzing user holds every role);
- the token: the project's own sign-in, the `tokenUrl` of the OAuth2 password flow the
  document declares, called with the body that operation documents (a form or JSON).

What cannot be found is a reason to skip the gate, said in its summary.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass

from backsmith.gates.database import app_index, database_variable
from backsmith.project.profile import ProjectProfile

_HASHER = re.compile(r"(hash.*password|password.*hash)", re.IGNORECASE)


@dataclass(frozen=True)
class FuzzSetup:
    """What the harness needs for a profiled project, or why fuzzing cannot apply."""

    env: dict[str, str | None]
    skip: str | None = None


def profile_setup(profile: ProjectProfile) -> FuzzSetup:
    """The harness's settings for a project not made by `backsmith new`."""
    if database_variable(profile) is None:
        return FuzzSetup(
            {},
            skip="backsmith cannot point the app at a scratch database: its settings have "
            "no database URL field it can find (fuzzing would write into the project's own "
            "database)",
        )
    env: dict[str, str | None] = {"BACKSMITH_FUZZ_PROFILED": "1"}
    if profile.value("error_statuses") == "undocumented":
        # Its routes document no error response: every 401, 404 or 422 would be "undocumented".
        env["BACKSMITH_FUZZ_UNDOCUMENTED_ERRORS"] = "1"
    user_model = profile.value("user_model")
    hasher = password_hasher(profile)
    if user_model and hasher:
        env["BACKSMITH_FUZZ_USER_MODEL"] = user_model
        env["BACKSMITH_FUZZ_HASHER"] = hasher
    elif user_model:
        env["BACKSMITH_FUZZ_NO_USER"] = (
            f"no password hashing function (like `hash_password`) next to {user_model}"
        )
    else:
        env["BACKSMITH_FUZZ_NO_USER"] = "the profile names no user model"
    return FuzzSetup(env)


def password_hasher(profile: ProjectProfile) -> str | None:
    """The project's function that hashes a password, as `module:name`, if it has one."""
    found = []
    for module in app_index(profile).of_kind("app"):
        for name, function in module.functions.items():
            arguments = [a.arg for a in function.args.args if a.arg not in ("self", "cls")]
            if (
                _HASHER.search(name)
                and "verify" not in name.lower()
                and len(arguments) >= 1
                and not isinstance(function, ast.AsyncFunctionDef)
            ):
                found.append(f"{module.name}:{name}")
    # One hasher per project is the norm; with several, the shortest module path is the
    # shared one (app.core.security before app.auth.legacy.security).
    return min(found, key=lambda name: (name.count("."), name)) if found else None
