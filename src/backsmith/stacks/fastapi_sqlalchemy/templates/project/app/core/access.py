"""Access rules: who may do an action, and on which rows.

A rule is the grants of one action (SPEC: public, authenticated, owner, role:NAME), any
of which suffices. `authorize` answers with the scope the caller gets, which services
turn into a WHERE clause: authorization happens in the query, not after it.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import Enum
from typing import Protocol

from app.core.errors import Forbidden, NotAuthenticated


class Principal(Protocol):
    @property
    def id(self) -> int: ...

    @property
    def roles(self) -> list[str]: ...

    @property
    def tenant(self) -> str | None: ...


class Scope(Enum):
    ALL = "all"  # every row
    OWN = "own"  # only rows the caller owns


@dataclass(frozen=True)
class Rule:
    public: bool = False
    authenticated: bool = False
    owner: bool = False
    roles: frozenset[str] = field(default_factory=frozenset)


def scope_of(rule: Rule, user: Principal | None) -> Scope | None:
    """The scope `rule` gives `user`, or None if it refuses them."""
    if rule.public:
        return Scope.ALL
    if user is None:
        return None
    if rule.authenticated or rule.roles.intersection(user.roles):
        return Scope.ALL
    if rule.owner:
        return Scope.OWN
    return None


def authorize(rule: Rule, user: Principal | None, action: str) -> Scope:
    """The scope `user` has for `action`; 401 without a user where one is needed, else 403."""
    scope = scope_of(rule, user)
    if scope is not None:
        return scope
    if user is None:
        raise NotAuthenticated("Authentication required.")
    raise Forbidden(f"You may not {action} this resource.")


def authorize_row(rule: Rule, user: Principal | None, action: str, owner_id: int | None) -> None:
    """Refuse `action` on one row the caller can see but may not change (403)."""
    scope = authorize(rule, user, action)
    if scope is Scope.OWN and (user is None or owner_id != user.id):
        raise Forbidden(f"You may not {action} this resource.")


def tenant_of(user: Principal | None) -> str:
    """The caller's tenant, which every query of a tenant's rows is bound to.

    Called after the action's rule, so an anonymous caller has had their 401 already
    where the rule needs a user (rules of tenant entities are never public).
    """
    if user is None:
        raise NotAuthenticated("Authentication required.")
    if user.tenant is None:
        raise Forbidden("Your account belongs to no tenant.")
    return user.tenant


def allows(rule: Rule, user: Principal | None, owner_id: int | None) -> bool:
    """Whether `rule` lets `user` at one row, owned by `owner_id` (None: no owner)."""
    scope = scope_of(rule, user)
    if scope is Scope.OWN:
        return user is not None and owner_id == user.id
    return scope is Scope.ALL


def hidden_fields(
    reads: Mapping[str, Rule], user: Principal | None, owner_id: int | None
) -> set[str]:
    """The fields of one row that `user` may not see: left out of its response."""
    return {name for name, rule in reads.items() if not allows(rule, user, owner_id)}


def refuse_unwritable(
    writes: Mapping[str, Rule], sent: Iterable[str], user: Principal | None, owner_id: int | None
) -> None:
    """403 naming the first field of `sent` (in `writes`' order) that `user` may not set."""
    sent = set(sent)
    for name, rule in writes.items():
        if name in sent and not allows(rule, user, owner_id):
            raise Forbidden(f"You may not set {name}.")


@dataclass(frozen=True)
class EntityAccess:
    """The rules of an entity, one per action."""

    list: Rule
    read: Rule
    create: Rule
    update: Rule
    delete: Rule
