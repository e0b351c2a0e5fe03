"""Who may do what to an entity's rows, as data, and what each caller gets for it.

This is the design stage's access model: every action's condition (public, signed in,
owner, roles) taken from the feature's meaning (`FeatureSpec`), and the one decision
function every generated test takes an access status from (`expected_status`): the
anonymous and no-role checks, the authorization matrix, the field-access callers. It knows
no stack: a renderer writes code that enforces the conditions, and the tests it writes
assert what this module decides, so a mistake in rendering fails a test instead of being
restated by it.

The contract it decides (SPEC §3, `docs/spec.md` Access):

- a condition gives a caller a scope: every row, only their own (an `owner` grant), or
  none, which is a 401 without a token and a 403 with one;
- a row is loaded under the read condition before it is changed, so a row outside the
  caller's read scope is a 404 for read, update, delete and custom actions alike;
- restore looks the deleted row up under its own condition: outside that scope, a 404;
- a change the read condition allows but the action's condition does not is a 403;
- a create checks that each parent is readable by the caller: one outside their scope does
  not exist for them (422); a parent condition that refuses them outright is its 401/403.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import Enum

from backsmith.spec.model import Action, Entity, Grant, GrantKind

# A caller's roles; None is a caller without a token.
Roles = tuple[str, ...] | None

CRUD = tuple(action.value for action in Action)
_LOOKUPS = ("read", "restore")  # the condition is the query: outside the scope is a 404
_SUCCESS = {"list": 200, "read": 200, "create": 201, "update": 200, "delete": 204, "restore": 200}


@dataclass(frozen=True)
class Condition:
    """Who passes one action's rule: any of the grants suffices."""

    public: bool = False
    authenticated: bool = False
    owner: bool = False
    roles: tuple[str, ...] = ()

    @classmethod
    def of(cls, grants: Iterable[Grant]) -> Condition:
        listed = tuple(grants)
        kinds = {g.kind for g in listed}
        return cls(
            public=GrantKind.PUBLIC in kinds,
            authenticated=GrantKind.AUTHENTICATED in kinds,
            owner=GrantKind.OWNER in kinds,
            roles=tuple(g.role for g in listed if g.kind is GrantKind.ROLE and g.role),
        )

    @property
    def open_to_any_user(self) -> bool:
        """Every signed-in user passes it for every row (no 403 is possible)."""
        return self.public or self.authenticated


@dataclass(frozen=True)
class EntityAccess:
    """Every condition of one entity: its actions, restore, custom actions and fields."""

    entity: str
    owned: bool
    soft_delete: bool
    tenant: bool
    actions: Mapping[str, Condition]  # list, read, create, update, delete, restore, customs
    field_reads: Mapping[str, Condition] = field(default_factory=dict)  # guarded fields
    field_writes: Mapping[str, Condition] = field(default_factory=dict)

    def condition(self, action: str) -> Condition:
        return self.actions[action]


def access_of(entity: Entity) -> EntityAccess:
    """The entity's conditions, as the document states them (defaults already applied)."""
    actions = {action.value: Condition.of(entity.access[action]) for action in Action}
    if entity.soft_delete:
        actions["restore"] = Condition.of(entity.restore)  # the parser defaults it to delete's
    for custom in entity.actions:
        actions[custom.name] = Condition.of(custom.access)
    return EntityAccess(
        entity=entity.name,
        owned=entity.owned,
        soft_delete=entity.soft_delete,
        tenant=entity.tenant,
        actions=actions,
        field_reads={f.name: Condition.of(f.read_access) for f in entity.fields if f.guarded},
        field_writes={
            f.name: Condition.of(f.write_access) for f in entity.fields if f.write_access
        },
    )


class Scope(Enum):
    ALL = "all"
    OWN = "own"


def scope_of(condition: Condition, roles: Roles) -> Scope | None:
    """The rows `condition` lets a caller with `roles` reach."""
    if condition.public:
        return Scope.ALL
    if roles is None:
        return None
    if condition.authenticated or set(condition.roles) & set(roles):
        return Scope.ALL
    return Scope.OWN if condition.owner else None


def allows(condition: Condition, roles: Roles, *, owns: bool = False) -> bool:
    """Whether `condition` lets a caller at one row, theirs or not."""
    scope = scope_of(condition, roles)
    return scope is Scope.ALL or (scope is Scope.OWN and owns)


def expected_status(
    access: EntityAccess,
    action: str,
    roles: Roles,
    *,
    owns: bool = False,
    parents: Sequence[EntityAccess] = (),
) -> int:
    """The status a caller with `roles` gets from `action` on a row they own or not.

    `parents` are the entities a create payload points at (rows someone else made); only
    create reads them. Custom actions succeed with a 200.
    """
    if action not in ("list", "create", *_LOOKUPS):
        loaded = expected_status(access, "read", roles, owns=owns)
        if loaded != 200:
            return loaded
    scope = scope_of(access.condition(action), roles)
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


def _references_status(parents: Sequence[EntityAccess], roles: Roles) -> int:
    """A create whose condition passed: each parent, in order, must be readable."""
    for parent in parents:
        read = expected_status(parent, "read", roles)
        if read == 404:
            return 422
        if read != 200:
            return read
    return 201


def listed(access: EntityAccess, roles: Roles, *, owns: bool) -> bool:
    """Whether a row is among the items of the caller's list (when they may list)."""
    return allows(access.condition("list"), roles, owns=owns)


def unset_on_create(access: EntityAccess, roles: Roles) -> tuple[str, ...]:
    """The fields a caller may not send when they create a row (which they would own)."""
    return tuple(
        name
        for name, condition in access.field_writes.items()
        if not allows(condition, roles, owns=access.owned)
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


def owner_caller(access: EntityAccess) -> Caller:
    """The row's owner with the fewest roles that let them create it."""
    create = access.condition("create")
    if create.open_to_any_user:
        return Caller("user", ())
    role = create.roles[0]  # create takes no `owner` grant: a role is named
    return Caller(f"role:{role}", (role,))


def build_matrix(
    access: EntityAccess,
    roles: Sequence[str],
    parents: Sequence[EntityAccess],
    custom_actions: Sequence[str],
) -> AccessMatrix:
    """Every caller x action x ownership cell, each with its expected status.

    Every caller acts on a row someone else owns; on an owned entity the owner (fewest
    roles) also acts on their own row, so that their cells and the same roles' cells on
    another's row differ only in ownership. `custom_actions` are those a row can be made
    ready for.
    """
    everyone = callers(roles)
    subjects = [(caller, False) for caller in everyone]
    owner = owner_caller(access) if access.owned else None
    if owner is not None:
        subjects.append((owner, True))
    row_actions: tuple[str, ...] = ("list", "read", "update", "delete")
    row_actions += ("restore",) if access.soft_delete else ()
    row_actions += tuple(custom_actions)

    def cell(caller: Caller, action: str, owns: bool) -> Cell:
        status = expected_status(access, action, caller.roles, owns=owns, parents=parents)
        suffix = ("-owner" if owns else "-not_owner") if access.owned and action != "create" else ""
        return Cell(
            caller=caller,
            action=action,
            owns=owns,
            status=status,
            listed=action == "list" and status == 200 and listed(access, caller.roles, owns=owns),
            id=f"{caller.label}-{action}{suffix}",
            unset=unset_on_create(access, caller.roles) if action == "create" else (),
        )

    cells = {"create": [cell(caller, "create", False) for caller in everyone]}
    for action in row_actions:
        cells[action] = [cell(caller, action, owns) for caller, owns in subjects]
    return AccessMatrix(row_actions=row_actions, cells=cells, owner=owner)
