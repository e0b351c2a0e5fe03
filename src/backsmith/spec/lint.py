"""Warnings about a valid document: grants that can never take effect as written.

A document that loads is consistent, but it can still say something the generated API
will not do. The main case is access: a row the caller may not read does not exist for
them (SPEC §3), so an update, delete or custom action granted to someone the read rule
leaves out is a 404 or a refusal, and a list granted to them shows what read hides.

Grants are judged by the caller each one names with no other role: a caller without a
token for `public`, a signed-in user without roles for `authenticated`, a user whose one
role is R for `role:R`, the row's creator for `owner`. Users with several roles can
combine their way in; a warning is about what the grant itself says. Warnings never stop
a command.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from enum import IntEnum

from pydantic import BaseModel, ConfigDict

from backsmith.errors import Location
from backsmith.spec.model import Action, Entity, FeatureSpec, Field, Grant, GrantKind

# A caller's roles; None is a caller without a token.
Roles = frozenset[str] | None


class DocumentWarning(BaseModel):
    """Something a valid document says that the API it describes will not do."""

    model_config = ConfigDict(frozen=True)

    message: str
    location: Location
    hint: str | None = None

    def __str__(self) -> str:
        hint = f" (hint: {self.hint})" if self.hint else ""
        return f"{self.location}: warning: {self.message}{hint}"


class Reach(IntEnum):
    """The rows a rule lets one caller at, ordered so that `min` narrows."""

    NONE = 0
    OWN = 1
    ALL = 2


def scope(grants: Iterable[Grant], roles: Roles) -> Reach:
    """What `grants` give a caller with `roles` (as the generated `scope_of` decides)."""
    grants = tuple(grants)
    if any(g.kind is GrantKind.PUBLIC for g in grants):
        return Reach.ALL
    if roles is None:
        return Reach.NONE
    if any(g.kind is GrantKind.AUTHENTICATED or g.role in roles for g in grants):
        return Reach.ALL
    return Reach.OWN if any(g.kind is GrantKind.OWNER for g in grants) else Reach.NONE


def reach(entity: Entity, grants: Iterable[Grant], roles: Roles) -> Reach:
    """The rows of `entity` that `grants` let a caller with `roles` at.

    A row's owner is the user who created it, so "their own rows" are none for a caller
    whom `create` refuses.
    """
    rows = scope(grants, roles)
    if rows is Reach.OWN and scope(entity.access[Action.CREATE], roles) is Reach.NONE:
        return Reach.NONE
    return rows


def caller_of(entity: Entity, grant: Grant) -> Roles:
    """The caller a grant names, with no role it does not name.

    For `owner` that is the row's creator: a user without roles when `create` lets any
    user in, else a user with the first role `create` names.
    """
    if grant.kind is GrantKind.PUBLIC:
        return None
    if grant.kind is GrantKind.ROLE and grant.role:
        return frozenset({grant.role})
    create = entity.access[Action.CREATE]
    if grant.kind is GrantKind.OWNER and scope(create, frozenset()) is Reach.NONE:
        return frozenset(g.role for g in create[:1] if g.role)
    return frozenset()


def own_reach(grant: Grant) -> Reach:
    return Reach.OWN if grant.kind is GrantKind.OWNER else Reach.ALL


def lint_feature(spec: FeatureSpec) -> list[DocumentWarning]:
    """Every warning of a loaded document, in document order, one per place."""
    found: list[DocumentWarning] = []
    for entity in spec.entities:
        found += _row_grants(entity)
        found += _create_grants(spec, entity)
        for field in entity.fields:
            found += _field_grants(entity, field)
    seen: set[Location] = set()
    unique: list[DocumentWarning] = []
    for warning in sorted(found, key=lambda w: (w.location.line, w.location.column)):
        if warning.location not in seen:  # one grant, one warning: the first reason is enough
            seen.add(warning.location)
            unique.append(warning)
    return unique


# --------------------------------------------------------------------------- rows


def _who(grant: Grant, read: Sequence[Grant]) -> str:
    """The caller a grant names, in words, without the roles that would let them read."""
    others = [f"role:{g.role}" for g in read if g.kind is GrantKind.ROLE and g.role != grant.role]
    without = f" without {' or '.join(others)}" if others else ""
    if grant.kind is GrantKind.PUBLIC:
        return "a caller without a token"
    if grant.kind is GrantKind.ROLE:
        return f"a user with role {grant.role}{without.replace(' without', ' but not')}"
    if grant.kind is GrantKind.OWNER:
        return f"a row's owner{without}"
    return f"a signed-in user{without}"


def _listed(grants: Sequence[Grant]) -> str:
    return ", ".join(str(g) for g in grants)


def _and(words: Sequence[str]) -> str:
    """`a`, `a and b`, `a, b and c`."""
    return " and ".join(filter(None, (", ".join(words[:-1]), words[-1])))


def _row_actions(entity: Entity) -> list[tuple[str, str, tuple[Grant, ...]]]:
    """(action, verb, grants) of each action that loads a row under the read rule first,
    and of restore, whose answer is a row; grants inherited from another action are left
    out, since that action's own check covers them."""
    actions = [
        ("update", "update", entity.access[Action.UPDATE]),
        ("delete", "delete", entity.access[Action.DELETE]),
    ]
    if entity.soft_delete and entity.restore != entity.access[Action.DELETE]:
        actions.append(("restore", "restore", entity.restore))
    for custom in entity.actions:
        if custom.access != entity.access[Action.UPDATE]:
            actions.append((custom.name, f"run `{custom.name}` on", custom.access))
    return actions


def _row_grants(entity: Entity) -> list[DocumentWarning]:
    read = entity.access[Action.READ]
    found: list[DocumentWarning] = []
    defaulted: dict[str, list[Grant]] = {}
    checked = [("list", "list", entity.access[Action.LIST]), *_row_actions(entity)]
    for action, verb, grants in checked:
        for grant in grants:
            gets = reach(entity, read, caller_of(entity, grant))
            if gets >= own_reach(grant):
                continue
            if grant.location is None:
                defaulted.setdefault(action, []).append(grant)
                continue
            message = _row_message(entity, action, verb, grant, gets)
            hint = f"grant `read` to `{grant}` too, or drop `{grant}` from `{action}`"
            found.append(DocumentWarning(message=message, location=grant.location, hint=hint))
    written_read = next((g.location for g in read if g.location is not None), None)
    if written_read is not None:  # defaults are consistent with each other: read was written
        found += _defaulted(entity, defaulted, written_read)
    return found


def _row_message(entity: Entity, action: str, verb: str, grant: Grant, gets: Reach) -> str:
    who = _who(grant, entity.access[Action.READ])
    reads = f"`read: {_listed(entity.access[Action.READ])}`"
    if action == "list":
        seen = "only their own" if gets is Reach.OWN else "none"
        return (
            f"`{grant}` lets {who} list {entity.name} rows, but {reads} lets them open "
            f"{seen}: the list shows them what `read` hides"
        )
    if action == "restore":
        return (
            f"`{grant}` lets {who} restore deleted {entity.name} rows, but {reads} "
            f"{'lets them see only their own' if gets is Reach.OWN else 'hides them'}: the "
            "restore answers with a row that then does not exist for them"
        )
    if gets is Reach.OWN:
        return (
            f"`{grant}` lets {who} {verb} any {entity.name}, but {reads} lets them read "
            f"only their own, and a row a caller may not read does not exist for them: on "
            f"anyone else's row, their {action} is a 404"
        )
    return (
        f"`{grant}` lets {who} {verb} {entity.name} rows, but {reads} hides every row from "
        f"them, and a row a caller may not read does not exist for them: their {action} "
        "never succeeds"
    )


def _defaulted(
    entity: Entity, defaulted: dict[str, list[Grant]], read: Location
) -> list[DocumentWarning]:
    """Actions left to their defaults that the written read rule cuts down: one warning."""
    if not defaulted:
        return []
    names = list(defaulted)
    actions = _and([f"`{name}`" for name in names])
    grants = sorted({str(g) for grants in defaulted.values() for g in grants})
    changes = [name for name in names if name != "list"]
    consequences = ["the list shows them rows `read` hides"] if "list" in names else []
    if changes:
        verb = "reaches" if len(changes) == 1 else "reach"
        consequences.append(f"their {_and(changes)} {verb} only rows they may read")
    return [
        DocumentWarning(
            message=(
                f"`read: {_listed(entity.access[Action.READ])}` of {entity.name} leaves out "
                f"callers that {actions}, not written, let in by default "
                f"({', '.join(f'`{g}`' for g in grants)}): {'; '.join(consequences)}"
            ),
            location=read,
            hint=f"write {actions} in `access` with the grants you mean, "
            "or grant `read` to the same callers",
        )
    ]


# --------------------------------------------------------------------------- creates


def _create_grants(spec: FeatureSpec, entity: Entity) -> list[DocumentWarning]:
    """A create must point at each required parent, which the caller must be able to read."""
    found: list[DocumentWarning] = []
    for grant in entity.access[Action.CREATE]:
        roles = caller_of(entity, grant)
        for relation in entity.relations:
            parent = spec.entity(relation.target)
            if not relation.required or parent is None or parent.name == entity.name:
                continue
            parent_read = parent.access[Action.READ]
            # A default grant was not written: the relation is what makes it dead.
            location = grant.location or relation.location
            if reach(parent, parent_read, roles) is not Reach.NONE or location is None:
                continue
            written = "" if grant.location else ", the default of `create`,"
            found.append(
                DocumentWarning(
                    message=(
                        f"`{grant}`{written} lets {_who(grant, parent_read)} create "
                        f"{entity.name} rows, but each needs a {parent.name} "
                        f"(`{relation.name}`) and `read: {_listed(parent_read)}` of "
                        f"{parent.name} hides every one from them: their create never succeeds"
                    ),
                    location=location,
                    hint=f"grant `read` of {parent.name} to `{grant}` too, make "
                    f"`{relation.name}` optional, or give `create` other grants",
                )
            )
    return found


# --------------------------------------------------------------------------- fields


def _field_grants(entity: Entity, field: Field) -> list[DocumentWarning]:
    """Field grants naming a role that never gets at the row: the field rule never applies.

    Field grants narrow the row's rules by design, so only role grants are judged (a
    `public` or `authenticated` field grant means whoever reaches the row), and only for
    never reaching it, not for reaching fewer rows.
    """
    access = entity.access
    found: list[DocumentWarning] = []
    for grant in field.read_access:
        roles = caller_of(entity, grant)
        seen = max(
            reach(entity, access[Action.READ], roles), reach(entity, access[Action.LIST], roles)
        )
        if grant.kind is GrantKind.ROLE and grant.location and seen is Reach.NONE:
            who = _who(grant, (*access[Action.READ], *access[Action.LIST]))
            found.append(
                DocumentWarning(
                    message=(
                        f"`{grant}` may see `{field.name}`, but {who} may neither read nor "
                        f"list {entity.name} rows: the grant never shows them the field"
                    ),
                    location=grant.location,
                    hint=f"grant {entity.name}'s `read` to `{grant}` too, or drop it here",
                )
            )
    for grant in field.write_access:
        roles = caller_of(entity, grant)
        changes = min(
            reach(entity, access[Action.UPDATE], roles), reach(entity, access[Action.READ], roles)
        )
        creates = scope(access[Action.CREATE], roles)
        if grant.kind is GrantKind.ROLE and grant.location and Reach.NONE == changes == creates:
            rules = (*access[Action.CREATE], *access[Action.UPDATE])
            found.append(
                DocumentWarning(
                    message=(
                        f"`{grant}` may set `{field.name}`, but {_who(grant, rules)} may "
                        f"neither create nor update {entity.name} rows: the grant never "
                        "lets them send it"
                    ),
                    location=grant.location,
                    hint=f"grant {entity.name}'s `create` or `update` (and `read`) to "
                    f"`{grant}` too, or drop it here",
                )
            )
    return found
