"""Names the blueprint derives from the IR: modules, tables, paths, Python identifiers."""

from __future__ import annotations

import re

from backsmith.design.operations import collection_path, plural_of
from backsmith.spec.model import Entity, enum_member_name, snake


def entity_snake(entity: Entity) -> str:
    return snake(entity.name)


def entity_plural(entity: Entity) -> str:
    """snake_case plural: table name and the stem of function names (`list_doctors`)."""
    return plural_of(entity)


def resource_path(entity: Entity) -> str:
    """The collection path, as the design names it (`/appointment-slots`)."""
    return collection_path(entity)


def pascal(name: str) -> str:
    return "".join(part.capitalize() for part in re.split(r"[^A-Za-z0-9]+", name) if part)


def enum_class(entity: Entity, field_name: str) -> str:
    return f"{entity.name}{pascal(field_name)}"


def enum_member(value: str) -> str:
    """A Python identifier for an enum value (`in-progress` -> `IN_PROGRESS`)."""
    return enum_member_name(value)
