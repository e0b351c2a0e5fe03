"""Access rules: which scope each kind of caller gets, and when it is refused."""

from dataclasses import dataclass, field

import pytest

from app.core.access import (
    Rule,
    Scope,
    allows,
    authorize,
    authorize_row,
    hidden_fields,
    refuse_unwritable,
    scope_of,
    tenant_of,
)
from app.core.errors import Forbidden, NotAuthenticated


@dataclass
class Caller:
    id: int
    roles: list[str] = field(default_factory=list)
    tenant: str | None = None


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


def test_allows_answers_for_one_row_and_its_owner() -> None:
    owner_or_auditor = Rule(owner=True, roles=frozenset({"auditor"}))
    assert allows(owner_or_auditor, Caller(1), owner_id=1)
    assert not allows(owner_or_auditor, Caller(2), owner_id=1)
    assert not allows(owner_or_auditor, Caller(2), owner_id=None)
    assert allows(owner_or_auditor, Caller(2, ["auditor"]), owner_id=1)
    assert not allows(owner_or_auditor, None, owner_id=1)
    assert allows(Rule(public=True), None, owner_id=None)


def test_hidden_fields_are_those_the_caller_may_not_see() -> None:
    reads = {"salary": Rule(roles=frozenset({"hr"})), "notes": Rule(owner=True)}
    assert hidden_fields(reads, Caller(1), owner_id=1) == {"salary"}
    assert hidden_fields(reads, Caller(2, ["hr"]), owner_id=1) == {"notes"}
    assert hidden_fields(reads, None, owner_id=1) == {"salary", "notes"}


def test_refuse_unwritable_names_the_first_refused_field_sent() -> None:
    writes = {"salary": Rule(roles=frozenset({"hr"})), "grade": Rule(roles=frozenset({"hr"}))}
    refuse_unwritable(writes, {"name"}, Caller(1), owner_id=None)
    refuse_unwritable(writes, {"salary", "grade"}, Caller(1, ["hr"]), owner_id=None)
    with pytest.raises(Forbidden, match="You may not set grade"):
        refuse_unwritable(writes, {"name", "grade"}, Caller(1), owner_id=None)
    with pytest.raises(Forbidden, match="You may not set salary"):
        refuse_unwritable(writes, ["grade", "salary"], Caller(1), owner_id=None)


def test_tenant_of_is_the_callers_tenant_or_a_refusal() -> None:
    assert tenant_of(Caller(1, tenant="acme")) == "acme"
    with pytest.raises(Forbidden, match="belongs to no tenant"):
        tenant_of(Caller(1))
    with pytest.raises(NotAuthenticated):
        tenant_of(None)
