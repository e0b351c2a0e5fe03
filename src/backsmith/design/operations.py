"""Every endpoint of a feature, as data: its method, path, condition, and each status it
can answer with the reason it does.

This is the HTTP contract of SPEC §3 (`docs/spec.md`) lowered once, for every target: a
renderer writes the routes and documents their statuses from it, and nothing else decides
which statuses a route can return. The reasons are the contract in words, for the API
documentation and for whoever reads the design.

The statuses every route may answer (SPEC §3):

- 401: a token that is sent must be valid, even on a route that needs none; without one,
  only public routes answer;
- 403: the caller's grants do not admit them (a role or ownership condition), or the
  entity is a tenant's and their account belongs to none;
- 422: a path or query parameter, or a body, that does not validate.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import Enum

from backsmith.design.access import Condition, access_of
from backsmith.spec.model import Entity, FeatureSpec, OnDelete, RelationKind, pluralize, snake


class Kind(Enum):
    LIST = "list"
    CREATE = "create"
    READ = "read"
    UPDATE = "update"
    DELETE = "delete"
    RESTORE = "restore"
    ACTION = "action"  # a custom action: POST .../{id}/NAME
    INVERSE = "inverse"  # a parent's collection of one relation's rows


@dataclass(frozen=True)
class Operation:
    """One endpoint."""

    entity: str
    name: str  # list, create, read, update, delete, restore, the action's or inverse's name
    kind: Kind
    method: str
    path: str  # `{thing_id}` for the row
    success: int
    errors: Mapping[int, str]  # every error status it can answer, and why
    condition: Condition  # who may call it (an inverse: the parent's read rule decides first)
    public: bool  # callable without a token
    etag: bool  # the success answer carries the row's ETag
    parent: str | None = None  # an inverse's: two parents may give theirs the same name

    @property
    def error_statuses(self) -> tuple[int, ...]:
        return tuple(sorted(self.errors))

    @property
    def statuses(self) -> tuple[int, ...]:
        """Every status: success first, then the errors in order."""
        return (self.success, *self.error_statuses)


@dataclass(frozen=True)
class EntityOperations:
    entity: str
    collection: str  # /appointment-slots
    item: str  # /appointment-slots/{appointment_slot_id}
    operations: tuple[Operation, ...]

    def __getitem__(self, name: str) -> Operation:
        """The operation `name`: list, create, read, update, delete, restore or an action."""
        return next(op for op in self.operations if op.kind is not Kind.INVERSE and op.name == name)

    def inverse(self, parent: str, name: str) -> Operation:
        """`parent`'s collection `name` of these rows."""
        return next(
            op
            for op in self.operations
            if op.kind is Kind.INVERSE and op.parent == parent and op.name == name
        )


def plural_of(entity: Entity) -> str:
    """snake_case plural: the stem of table, function and path names (`appointment_slots`)."""
    return entity.plural or pluralize(snake(entity.name))


def collection_path(entity: Entity) -> str:
    """The collection path: the plural in kebab-case (`/appointment-slots`)."""
    return "/" + plural_of(entity).replace("_", "-")


def item_path(entity: Entity) -> str:
    return f"{collection_path(entity)}/{{{snake(entity.name)}_id}}"


_LIST_INVALID = "an unknown sort key or a malformed filter"


def _join(*reasons: str | None) -> str:
    return "; ".join(r for r in reasons if r)


def _guarded(condition: Condition, tenant: bool) -> dict[int, str]:
    """The 401 and 403 the condition gives (SPEC §3)."""
    errors = {401: "no valid token" if not condition.public else "an invalid token was sent"}
    refused = None if condition.open_to_any_user else "the caller's grants do not admit them"
    belongs = "the caller's account belongs to no tenant" if tenant else None
    if refused or belongs:
        errors[403] = _join(refused, belongs)
    return errors


def _conflicts(entity: Entity) -> str:
    """Why a write of the entity's rows can be a 409."""
    unique = [f.name for f in entity.fields if f.unique] + [", ".join(m) for m in entity.unique]
    one_to_one = [r.name for r in entity.relations if r.kind is RelationKind.ONE_TO_ONE]
    return _join(
        *(f"a row with the same {members} exists" for members in unique),
        *(f"another row already links to that {name}" for name in one_to_one),
        "a check is broken" if entity.checks else None,
        "the move is not an allowed transition" if entity.transitions else None,
        "a concurrent change broke a constraint",
    )


def _deletion_conflicts(entity: Entity, spec: FeatureSpec) -> str:
    children = [
        plural_of(other).replace("_", " ")
        for other in spec.entities
        for relation in other.relations
        if relation.target == entity.name and relation.on_delete is OnDelete.RESTRICT
    ]
    return _join(
        *(f"it still has {name}" for name in dict.fromkeys(children)),
        "a concurrent change broke a constraint",
    )


def _preconditions(entity: Entity, *, if_match: bool) -> dict[int, str]:
    """A versioned entity's write is conditional on the version the caller read."""
    if not entity.versioned:
        return {}
    errors = {412: "the row changed since the version the caller read"}
    if if_match:
        errors[428] = "no If-Match, or a wildcard one"
    return errors


_MISSING = "the row does not exist for the caller"
_INVALID = "a path or query parameter does not validate"
_BODY = "the body does not validate"
_MALFORMED = "malformed JSON"


def operations_of(entity: Entity, spec: FeatureSpec) -> EntityOperations:
    """The entity's endpoints, in the order its router declares them."""
    access = access_of(entity)
    collection, item = collection_path(entity), item_path(entity)

    def operation(
        name: str,
        kind: Kind,
        method: str,
        path: str,
        success: int,
        errors: dict[int, str],
        *,
        refusal: str | None = None,  # a 403 besides the condition's own
        etag: bool = False,
    ) -> Operation:
        condition = access.condition(name)
        guarded = _guarded(condition, entity.tenant)
        if refusal:
            guarded[403] = _join(guarded.get(403), refusal)
        return Operation(
            entity=entity.name,
            name=name,
            kind=kind,
            method=method,
            path=path,
            success=success,
            errors={**guarded, **errors},
            condition=condition,
            public=condition.public,
            etag=etag,
        )

    conflicts = _conflicts(entity)
    etag = entity.versioned
    operations = [
        operation("list", Kind.LIST, "GET", collection, 200, {422: _LIST_INVALID}),
        *_inverses(entity, spec),
        operation(
            "create",
            Kind.CREATE,
            "POST",
            collection,
            201,
            {400: _MALFORMED, 409: conflicts, 422: f"{_BODY}; a parent the caller cannot read"},
            refusal="a field the caller may not set" if access.field_writes else None,
            etag=etag,
        ),
        operation("read", Kind.READ, "GET", item, 200, {404: _MISSING, 422: _INVALID}, etag=etag),
        operation(
            "update",
            Kind.UPDATE,
            "PATCH",
            item,
            200,
            {400: _MALFORMED, 404: _MISSING, 409: conflicts, 422: _BODY}
            | _preconditions(entity, if_match=True),
            refusal="the caller may read the row but not change it",
            etag=etag,
        ),
        operation(
            "delete",
            Kind.DELETE,
            "DELETE",
            item,
            204,
            {404: _MISSING, 409: _deletion_conflicts(entity, spec), 422: _INVALID}
            | _preconditions(entity, if_match=True),
            refusal="the caller may read the row but not delete it",
        ),
    ]
    if entity.soft_delete:
        restored = {
            404: "no deleted row the caller may restore",
            409: "a live row has taken its unique values, or its parent is deleted",
            422: _INVALID,
        }
        path = f"{item}/restore"
        operations.append(
            operation("restore", Kind.RESTORE, "POST", path, 200, restored, etag=etag)
        )
    for action in entity.actions:
        refused = _join(
            "its guard refuses" if action.guard is not None else None,
            "the move is not an allowed transition" if entity.transitions else None,
            "the changed row would break a check" if entity.checks else None,
            "a concurrent change broke a constraint",
        )
        errors = {404: _MISSING, 409: refused, 422: _INVALID} | _preconditions(
            entity, if_match=False
        )
        path = f"{item}/{action.name}"
        operations.append(operation(action.name, Kind.ACTION, "POST", path, 200, errors, etag=etag))
    return EntityOperations(entity.name, collection, item, tuple(operations))


def _inverses(child: Entity, spec: FeatureSpec) -> list[Operation]:
    """Each parent's collection of the child's rows (`GET /doctors/{doctor_id}/appointments`):
    the parent's read rule decides first (404, 401, 403), then the child's list rule."""
    by_name = {e.name: e for e in spec.entities}
    listing = access_of(child).condition("list")
    operations = []
    for relation in child.relations:
        if relation.inverse is None:
            continue
        parent = by_name[relation.target]
        read = access_of(parent).condition("read")
        public = read.public and listing.public
        errors = {
            401: "an invalid token was sent" if public else "no valid token",
            404: "the parent does not exist for the caller",
            422: _LIST_INVALID,
        }
        guards = (_guarded(read, parent.tenant), _guarded(listing, child.tenant))
        refused = [guard[403] for guard in guards if 403 in guard]
        if refused:
            errors[403] = _join(*dict.fromkeys(refused))
        operations.append(
            Operation(
                entity=child.name,
                name=relation.inverse,
                kind=Kind.INVERSE,
                method="GET",
                path=f"{item_path(parent)}/{relation.inverse}",
                success=200,
                errors=errors,
                condition=listing,
                public=public,
                etag=False,
                parent=parent.name,
            )
        )
    return operations


def feature_operations(spec: FeatureSpec) -> dict[str, EntityOperations]:
    """Every entity's endpoints, by entity name."""
    return {entity.name: operations_of(entity, spec) for entity in spec.entities}
