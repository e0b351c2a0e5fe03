"""Access rules: which scope each kind of caller gets, and when it is refused."""

from dataclasses import dataclass, field

import pytest

from app.core.access import Rule, Scope, authorize, authorize_row, scope_of
from app.core.errors import Forbidden, NotAuthenticated


@dataclass
class Caller:
    id: int
    roles: list[str] = field(default_factory=list)


def test_public_rules_need_no_caller() -> None:
    assert authorize(Rule(public=True), None, "read") is Scope.ALL


def test_other_rules_need_a_caller() -> None:
    for rule in (Rule(authenticated=True), Rule(owner=True), Rule(roles=frozenset({"admin"}))):
        with pytest.raises(NotAuthenticated):
            authorize(rule, None, "read")


def test_roles_and_authentication_give_every_row_owner_gives_own_rows() -> None:
    assert authorize(Rule(authenticated=True), Caller(1), "list") is Scope.ALL
    admin_or_owner = Rule(owner=True, roles=frozenset({"admin"}))
    assert authorize(admin_or_owner, Caller(1, ["admin"]), "list") is Scope.ALL
    assert authorize(admin_or_owner, Caller(1), "list") is Scope.OWN


def test_a_missing_role_is_forbidden() -> None:
    with pytest.raises(Forbidden, match="create"):
        authorize(Rule(roles=frozenset({"admin"})), Caller(1, ["doctor"]), "create")


def test_row_rules_check_the_owner() -> None:
    rule = Rule(owner=True)
    authorize_row(rule, Caller(1), "update", owner_id=1)
    with pytest.raises(Forbidden):
        authorize_row(rule, Caller(2), "update", owner_id=1)


def test_scope_of_answers_none_where_authorize_refuses() -> None:
    """Counts over other rows use it: a refused caller counts nothing, never errors."""
    admin_only = Rule(roles=frozenset({"admin"}))
    assert scope_of(admin_only, None) is None
    assert scope_of(admin_only, Caller(1)) is None
    assert scope_of(admin_only, Caller(1, ["admin"])) is Scope.ALL
    assert scope_of(Rule(owner=True), Caller(1)) is Scope.OWN
    assert scope_of(Rule(public=True), None) is Scope.ALL
