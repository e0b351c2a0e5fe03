"""What each caller gets from each endpoint of an entity, decided from its access rules.

`expected_status` is the one place the generated tests take an access status from: the
anonymous and no-role checks of `test_<entity>.py` and every cell of the authorization
matrix in `test_<entity>_access.py`. It follows what the generated runtime does:

- a rule gives a caller a scope (`app/core/access.py` `scope_of`): every row, only their
  own (an `owner` grant), or none, which is a 401 without a token and a 403 with one;
- a row is loaded under the read rule before it is changed, so a row outside the caller's
  read scope is a 404 for read, update, delete and custom actions alike;
- restore looks the deleted row up under its own rule: outside that scope it is a 404;
- a change the read rule allows but the action's rule does not is a 403;
- a create checks that each parent is readable by the caller: one outside their scope does
  not exist for them (422), a parent rule that refuses them outright is its 401 or 403.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import Enum

from backsmith.stacks.fastapi_sqlalchemy.context import EntityContext, RuleContext

# A caller's roles; None is a caller without a token.
Roles = tuple[str, ...] | None

_LOOKUPS = ("read", "restore")  # the rule is the query: outside the scope is a 404
_SUCCESS = {"list": 200, "read": 200, "create": 201, "update": 200, "delete": 204, "restore": 200}


class Scope(Enum):
    ALL = "all"
    OWN = "own"


def scope_of(rule: RuleContext, roles: Roles) -> Scope | None:
    """The rows `rule` lets a caller with `roles` reach (as `app/core/access.py` decides)."""
    if rule.public:
        return Scope.ALL
    if roles is None:
        return None
    if rule.authenticated or set(rule.roles) & set(roles):
        return Scope.ALL
    return Scope.OWN if rule.owner else None


def rule_of(entity: EntityContext, action: str) -> RuleContext:
    """The rule of a CRUD action, of restore, or of one of the entity's custom actions."""
    if action in entity.rules:
        return entity.rules[action]
    if action == "restore" and entity.restore_rule is not None:
        return entity.restore_rule
    return next(custom.rule for custom in entity.actions if custom.name == action)


def expected_status(
    entity: EntityContext,
    action: str,
    roles: Roles,
    *,
    owns: bool = False,
    parents: Sequence[EntityContext] = (),
) -> int:
    """The status a caller with `roles` gets from `action` on a row they own or not.

    `parents` are the entities a create payload points at (rows someone else made);
    only create reads them. Custom actions succeed with a 200.
    """
    if action not in ("list", "create", *_LOOKUPS):
        loaded = expected_status(entity, "read", roles, owns=owns)
        if loaded != 200:
            return loaded
    scope = scope_of(rule_of(entity, action), roles)
    if scope is None:
        return 401 if roles is None else 403
    outside = scope is Scope.OWN and not owns
    if action == "create":
        return _references_status(parents, roles)
    if action in _LOOKUPS:
        return 404 if outside else _SUCCESS[action]
    if action == "list":
        return 200
    return 403 if outside else _SUCCESS.get(action, 200)


def _references_status(parents: Sequence[EntityContext], roles: Roles) -> int:
    """A create whose rule passed: each parent, in order, must be readable by the caller."""
    for parent in parents:
        read = expected_status(parent, "read", roles)
        if read == 404:
            return 422
        if read != 200:
            return read
    return 201


def allows(rule: RuleContext, roles: Roles, *, owns: bool = False) -> bool:
    """Whether `rule` lets a caller at one row, theirs or not (`allows` in access.py)."""
    scope = scope_of(rule, roles)
    return scope is Scope.ALL or (scope is Scope.OWN and owns)


def listed(entity: EntityContext, roles: Roles, *, owns: bool) -> bool:
    """Whether a row is among the items of the caller's list (when they may list)."""
    return allows(entity.rules["list"], roles, owns=owns)


def unset_on_create(entity: EntityContext, roles: Roles) -> tuple[str, ...]:
    """The fields a caller may not send when they create a row (which they would own)."""
    return tuple(
        name
        for name, rule in entity.field_writes.items()
        if not allows(rule, roles, owns=entity.owned)
    )


@dataclass(frozen=True)
class Caller:
    label: str  # anonymous, user, role:NAME
    roles: Roles


@dataclass(frozen=True)
class Cell:
    """One assertion of the matrix: what `caller` gets from `action`."""

    caller: Caller
    action: str
    owns: bool
    status: int
    listed: bool  # list cells: the row is among the items (False when the list is refused)
    id: str
    unset: tuple[str, ...] = ()  # create cells: fields the caller leaves out of the payload


@dataclass(frozen=True)
class AccessMatrix:
    row_actions: tuple[str, ...]  # list, read, update, delete, restore, custom actions
    cells: dict[str, list[Cell]]  # by action, create included
    owner: Caller | None  # owned entities: who owns the row of the owner cells

    def of(self, action: str) -> list[Cell]:
        return self.cells[action]


def callers(roles: Sequence[str]) -> list[Caller]:
    """Without a token, signed in without roles, and one user per declared role."""
    return [
        Caller("anonymous", None),
        Caller("user", ()),
        *(Caller(f"role:{role}", (role,)) for role in roles),
    ]


def owner_caller(entity: EntityContext) -> Caller:
    """The row's owner with the fewest roles that let them create it."""
    rule = entity.rules["create"]
    if rule.open_to_any_user:
        return Caller("user", ())
    role = rule.roles[0]  # create takes no `owner` grant: a role is named
    return Caller(f"role:{role}", (role,))


def build_matrix(
    entity: EntityContext,
    roles: Sequence[str],
    parents: Sequence[EntityContext],
    custom_actions: Sequence[str],
) -> AccessMatrix:
    """Every caller x action x ownership cell, each with its expected status.

    Every caller acts on a row someone else owns; on an owned entity the owner (fewest
    roles) also acts on their own row, so that their cells and the same roles' cells on
    another's row differ only in ownership. `custom_actions` are those a row can be
    made ready for.
    """
    everyone = callers(roles)
    subjects = [(caller, False) for caller in everyone]
    owner = owner_caller(entity) if entity.owned else None
    if owner is not None:
        subjects.append((owner, True))
    row_actions: tuple[str, ...] = ("list", "read", "update", "delete")
    row_actions += ("restore",) if entity.soft_delete else ()
    row_actions += tuple(custom_actions)

    def cell(caller: Caller, action: str, owns: bool) -> Cell:
        status = expected_status(entity, action, caller.roles, owns=owns, parents=parents)
        suffix = ("-owner" if owns else "-not_owner") if entity.owned and action != "create" else ""
        return Cell(
            caller=caller,
            action=action,
            owns=owns,
            status=status,
            listed=action == "list" and status == 200 and listed(entity, caller.roles, owns=owns),
            id=f"{caller.label}-{action}{suffix}",
            unset=unset_on_create(entity, caller.roles) if action == "create" else (),
        )

    cells = {"create": [cell(caller, "create", False) for caller in everyone]}
    for action in row_actions:
        cells[action] = [cell(caller, action, owns) for caller, owns in subjects]
    return AccessMatrix(row_actions=row_actions, cells=cells, owner=owner)
