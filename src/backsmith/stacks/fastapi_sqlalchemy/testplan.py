"""What the generated test suite checks for each entity, decided from the spec.

The templates print these facts; the decisions (which user may do what, which status a
stranger gets, which values are inside or outside a boundary) live here so they can be
unit-tested and so that the generated tests assert what the spec promises.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from backsmith.design.access import (
    AccessMatrix,
    Caller,
    Condition,
    EntityAccess,
    Roles,
    access_of,
    allows,
    build_matrix,
    callers,
    expected_status,
    listed,
    unset_on_create,
)
from backsmith.design.actions import ECHOED_TYPES, action_rows
from backsmith.design.checks import (
    CheckCase,
    CheckData,
    check_cases,
    check_data,
    keys_apart_from,
    meeting_checks,
)
from backsmith.design.samples import (
    SampleError,
    boundary_cases,
    nul_case,
    valid_value,
)
from backsmith.design.storage import TENANT
from backsmith.errors import SpecError
from backsmith.spec.model import CustomAction, Field, FieldType
from backsmith.stacks.fastapi_sqlalchemy.context import (
    ActionContext,
    ComputedContext,
    EmbedContext,
    EntityContext,
    FeatureContext,
    FilterContext,
    InverseContext,
    LinkContext,
    UniqueContext,
)

_CRUD = ("list", "create", "read", "update", "delete")
SAMPLE_COUNT = 12  # distinct rows of one entity a single test may create
# Page sizes whose statement counts must agree; rows with unique values can only be made
# SAMPLE_COUNT times, so their pages are smaller.
PAGE_SIZES = (10, 50, 100)
UNIQUE_PAGE_SIZES = (3, 6, SAMPLE_COUNT)
# Rows whose unique keys are tried when counting how many one user can make in one test:
# more than any generated test makes, so that not meeting a repeat means "no limit".
_CAPACITY_PROBE = 2 * max(PAGE_SIZES)

# How the generated tests compare values when they check an order or a range.
_ORDER_KINDS = {
    FieldType.DECIMAL: "decimal",
    FieldType.INT: "number",
    FieldType.BIGINT: "number",
    FieldType.FLOAT: "number",
}


@dataclass(frozen=True)
class Boundary:
    field: str
    label: str
    value: Any
    valid: bool


@dataclass(frozen=True)
class InverseCheck:
    """What `GET /parents/{id}/INVERSE` answers: the parent's gate, then the list's."""

    name: str
    column: str
    parent_snake: str
    parent_path: str
    anonymous: int
    stranger: int  # a signed-in user without roles, on a parent someone else made
    rows: int = 5  # made for the parents in turn (one each where that must be unique)
    parents: int = 2  # one where a user can make only one


@dataclass(frozen=True)
class ComputedCheck:
    """A count or sum a reader sees change as rows come to point at the row."""

    name: str
    kind: str  # count, sum
    source_snake: str
    via_column: str
    field: str | None
    # A signed-in user without roles reading the row: None if they may not read it;
    # else whether the actor's linked rows are counted for them (they may list them).
    stranger_counts_them: bool | None
    linked: int = 3  # rows made to point at the row (fewer where they must be unique)
    elsewhere: bool = True  # one more row, pointing at another row, can be made too


@dataclass(frozen=True)
class ChildCheck:
    """What deleting a parent does to a child that points at it."""

    child: str  # entity name
    child_snake: str
    child_path: str
    column: str
    on_delete: str


@dataclass(frozen=True)
class LinkCheck:
    """A many_to_many: its ids round-trip, bad ids are 422s, deletes unlink, pages scale."""

    ids: str  # label_ids
    table: str  # the association table
    owner_column: str
    target: str
    target_snake: str
    target_path: str
    target_versioned: bool
    self_reference: bool  # the targets are rows of the same list
    # Two page sizes whose lists must take the same number of statements.
    small_page: int
    large_page: int
    # A caller who may create a row here, but sees only their own targets: an id of the
    # actor's target is a 422 for them, as for a missing row. None: no such caller.
    outsider: Caller | None = None
    outsider_unset: tuple[str, ...] = ()  # fields that caller may not send


@dataclass(frozen=True)
class EmbedCheck:
    """A parent's summary in read responses: right, following the parent, null when due."""

    name: str  # doctor: the response's key
    column: str
    fields: tuple[str, ...]  # `id` and the embedded fields
    nullable: bool
    target_snake: str
    target_path: str
    target_versioned: bool
    # An embedded field of the parent that a PATCH may change, and values to change it to
    # (two, so that one differs from the parent's); None when no field can be changed.
    changed_field: str | None
    new_values: tuple[Any, ...]
    # A signed-in user without roles reading the row: None if they may not read it;
    # else whether they may read its parent too (otherwise the summary is null).
    stranger_sees_it: bool | None
    # The same for a caller without a token: None if they may not read the row.
    anonymous_sees_it: bool | None
    # The statement-count test links its rows to this many parents, so that a page's
    # distinct parents grow with its size (0: the rows keep their factory-made parents).
    pool: int = 0
    # A user can make a second parent to move the row to (else it "moves" to its own).
    movable: bool = True


@dataclass(frozen=True)
class TransitionCase:
    """The moves of one enum field as the spec declares them, and the pairs of values the
    tests try: only those a row can hold under the checks (a state every check refuses is
    never stored, and a move into it is the check's 422, not the transition's)."""

    field: str
    moves: dict[str, tuple[str, ...]]
    # (from, to, allowed, create overrides that meet the checks in `from`, and in `to`
    # when the move is allowed)
    pairs: list[tuple[str, str, bool, dict[str, Any]]]


@dataclass(frozen=True)
class ActionCase:
    """A custom action: a row it applies to, one its guard refuses, who may call it."""

    name: str
    summary: str
    ready: dict[str, Any]  # create overrides: the guard holds and the move is allowed
    # Overrides for a second such row, its unique values apart from `ready`'s; None: no
    # second row can hold them (one row then serves every caller that is refused).
    again: dict[str, Any] | None
    expected: dict[str, Any]  # JSON values the action sets (echoed types)
    stamped: list[str]
    blocked: dict[str, Any] | None  # create overrides the guard refuses; None: no guard
    message: str
    anonymous: int
    stranger: int


@dataclass(frozen=True)
class FieldCaller:
    """A matrix caller on a row of their own (they create it) or someone else's (the
    actor's), for the tests of fields only some callers see or send."""

    caller: Caller
    owns: bool = False
    unset: tuple[str, ...] = ()  # fields they leave out when they create their row

    @property
    def signed_in(self) -> bool:
        return self.caller.roles is not None

    @property
    def roles(self) -> tuple[str, ...]:
        return self.caller.roles or ()

    @property
    def label(self) -> str:
        if not self.signed_in:
            return "an anonymous caller"
        who = f"a user with role {', '.join(self.roles)}" if self.roles else "a user without roles"
        return f"the owner, {who}," if self.owns else who

    def passes(self, condition: Condition) -> bool:
        return allows(condition, self.caller.roles, owns=self.owns)


def _field_callers(
    entity: EntityContext, roles: tuple[str, ...], can_own: bool
) -> list[FieldCaller]:
    """The callers to try, simplest first: nobody, a user without roles, one per role, and
    (`can_own`: a user without roles may create a row here) that user on their own row."""
    found = [FieldCaller(caller) for caller in callers(roles)]
    if can_own and entity.owned:
        user = Caller("user", ())
        unset = unset_on_create(_access(entity), user.roles)
        found.append(FieldCaller(user, owns=True, unset=unset))
    return found


@dataclass(frozen=True)
class FieldReadCase:
    """A field only some callers see: one who may read the row but not the field."""

    name: str
    hider: FieldCaller
    lists: bool  # the hider's list shows the row too
    # Summaries of parents the hider may not read (the actor made them): null for them.
    unseen_embeds: tuple[str, ...] = ()
    # Every field the hider may not read, this one first: the others are absent too.
    hidden: tuple[str, ...] = ()

    @property
    def kept(self) -> str:
        """The condition on a key `k` that keeps the fields the hider sees."""
        if len(self.hidden) <= 1:
            return f"k != {self.name!r}".replace("'", '"')
        return "k not in " + repr(self.hidden).replace("'", '"')


@dataclass(frozen=True)
class FieldWriteCase:
    """A field only some callers may send: who gets a 403 for sending it."""

    name: str
    value: Any
    creator: FieldCaller | None  # may create rows, but not with this field set
    updater: FieldCaller | None  # may change the row, but not this field


@dataclass
class EntityTestPlan:
    entity: EntityContext
    samples: list[dict[str, Any]]
    echoed: list[str]
    update_field: str | None
    update_value: Any
    null_rejected_field: str | None
    boundaries: list[Boundary]
    required: list[str]
    read_only: list[str]
    immutable: list[str]
    write_only: list[str]
    order_kinds: dict[str, str]
    anonymous: dict[str, int]
    stranger: dict[str, int]
    stranger_lists_all: bool
    unique_updatable: dict[str, bool] = field(default_factory=dict)
    children: list[ChildCheck] = field(default_factory=list)
    inverses: list[InverseCheck] = field(default_factory=list)
    computed: list[ComputedCheck] = field(default_factory=list)
    page_sizes: tuple[int, ...] = PAGE_SIZES  # list pages whose statement counts agree
    # Parents the statement-count test makes once for all its rows (not those that are
    # part of a unique constraint: each row gets its own).
    shared_parents: list[str] = field(default_factory=list)
    filterable: list[tuple[str, str, str]] = field(default_factory=list)  # param, member, op
    # Filters on a parent's field: param, relation column, parent, field, op, order kind,
    # and whether a stranger's filtered list is empty.
    parent_filters: list[tuple[str, str | None, str, str, str, str, bool]] = field(
        default_factory=list
    )
    filled_relations: list[str] = field(default_factory=list)  # columns factories fill in
    # Those of them the factory leaves empty once it can make no new parent there.
    links_left_empty: list[str] = field(default_factory=list)
    # filtered links the factory leaves empty: the parent's factory and how many parents
    unfilled_links: dict[str, tuple[str, int]] = field(default_factory=dict)
    search: list[str] = field(default_factory=list)
    restore: dict[str, int] = field(default_factory=dict)  # soft_delete: anonymous, stranger
    check_cases: list[CheckCase] = field(default_factory=list)
    transition_cases: list[TransitionCase] = field(default_factory=list)
    action_cases: list[ActionCase] = field(default_factory=list)
    untested_actions: list[str] = field(default_factory=list)  # no row found they apply to
    unbroken_checks: list[str] = field(default_factory=list)  # no breaking row was found
    unique_copied: list[str] = field(default_factory=list)  # members a duplicate copies
    # The uniqueness a client can collide on: constraints over fields no client sets
    # (read_only) stay out, as no request can repeat their values.
    unique_fields: list[str] = field(default_factory=list)
    composite_unique: list[UniqueContext] = field(default_factory=list)
    links: list[LinkCheck] = field(default_factory=list)  # many_to_many relations
    field_reads: list[FieldReadCase] = field(default_factory=list)
    field_writes: list[FieldWriteCase] = field(default_factory=list)
    unset_by_stranger: list[str] = field(default_factory=list)  # fields a stranger may not send
    unset_by_anonymous: list[str] = field(default_factory=list)  # fields no token may send
    matrix: AccessMatrix | None = None  # every caller x action x ownership, with statuses
    # A tenant entity: the first relation the factory fills that points at another
    # tenant entity (naming another tenant's row there is a 422), if any.
    tenant_parent: str | None = None
    embeds: list[EmbedCheck] = field(default_factory=list)  # parents' summaries
    # Rows of the entity one user can make in one test (None: as many as any test makes);
    # tests that would make more make fewer, or are left out when too few remain.
    capacity: int | None = None
    # The parent-filter test: its parents, and its rows, made for them in turn.
    parent_filter_counts: tuple[int, int] = (3, 6)

    def non_null(self, members: list[str]) -> dict[str, Any]:
        """Values for the members the first sample leaves null (nulls never collide, so a
        uniqueness test needs values): each from the first sample that has one."""
        first = self.samples[0] if self.samples else {}
        found: dict[str, Any] = {}
        unset: list[str] = []
        for name in members:
            if name in first and first[name] is None:
                value = next((row[name] for row in self.samples if row.get(name) is not None), None)
                if value is None:
                    unset.append(name)
                else:
                    found[name] = value
        if not unset:
            return found
        # Every sample leaves these null (a check may want it so): their defaults, which
        # the document gave for rows like these, else values that still meet the checks.
        data = _check_data(self.entity)
        defaults = {}
        for name in unset:
            spec_field = self.entity.entity.field(name)
            if spec_field is not None and spec_field.default is not None:
                defaults[name] = spec_field.default
        if len(defaults) == len(unset) and data.meets_all({**first, **found, **defaults}):
            return {**found, **defaults}
        # Values no sample holds, so that rows the test makes next cannot collide with them.
        held = {name: {repr(row.get(name)) for row in self.samples} for name in unset}
        chosen = data.find(
            {**first, **found},
            tuple(unset),
            lambda row: (
                all(row[name] is not None and repr(row[name]) not in held[name] for name in unset)
                and data.meets_all(row)
            ),
        )
        if chosen is not None:
            return {**found, **chosen}
        for name in unset:  # nothing meets the checks: any valid value, and the test says so
            spec_field = self.entity.entity.field(name)
            if spec_field is not None:
                found[name] = defaults.get(name, valid_value(spec_field, 0))
        return found

    def beside_copies(
        self, copied: list[str], first: dict[str, Any], turn: int, *, patched: bool = False
    ) -> dict[str, Any]:
        """What a duplicate sets beside the values it copies from a first payload (the
        first sample, `first` over it): a create the factory fills from sample `turn`, or
        (`patched`) a PATCH of the row made from that sample.

        Where the rest breaks a check together with the copies (`b >= a` with `b` copied
        and `a` the other sample's), the fields the checks read with the copies (those a
        PATCH may change, for one) take values that meet every check, keeping every other
        unique key apart from the rows made before (so a 409 is the copied constraint's,
        and a 201 is possible).
        """
        if not self.samples or not self.entity.entity.checks:
            return {}
        data = _check_data(self.entity)
        made = [{**self.samples[0], **first}, *self.samples[1:turn]]
        duplicate = {
            **self.samples[turn % len(self.samples)],
            **{name: made[0][name] for name in copied if name in made[0]},
        }
        if data.meets_all(duplicate):
            return {}
        linked = {other for name in copied for other in _read_with(data, name)} - set(copied)
        if patched:
            linked &= {f.name for f in self.entity.fields if f.update_line is not None}
        others = [
            group
            for group in _unique_groups(self.entity)
            if not set(group) <= set(copied) and all(m in duplicate for m in group)
        ]
        apart = keys_apart_from(others, made)
        found = data.find(
            duplicate, tuple(sorted(linked)), lambda row: data.meets_all(row) and apart(row)
        )
        if found is None:
            return {}  # no such values: the duplicate breaks the check, and the test says so
        return {name: value for name, value in found.items() if value != duplicate[name]}

    def rows(self, wanted: int) -> int:
        """`wanted` rows, or as many as one user can make in a test."""
        return wanted if self.capacity is None else min(wanted, self.capacity)


@dataclass
class FeatureTestPlan:
    feature: FeatureContext
    actor_roles: list[str]
    entities: list[EntityTestPlan]
    # Parents a factory can make only so many rows of (name -> rows): for another row,
    # it reuses one the user made once those are used up.
    limited: dict[str, int] = field(default_factory=dict)

    @property
    def reuses_parents(self) -> bool:
        """Whether some factory reuses a parent once it can make no new one."""
        return any(
            r.target in self.limited and r.column not in plan.links_left_empty
            for plan in self.entities
            for r in plan.entity.relations
            if r.column in plan.filled_relations
        )

    @property
    def leaves_links_empty(self) -> bool:
        return any(plan.links_left_empty for plan in self.entities)


def build_test_plan(feature: FeatureContext) -> FeatureTestPlan:
    by_name = {e.name: e for e in feature.entities}
    filled = _filled_relations(feature)
    roles = feature.spec.roles
    limits = RowLimits(by_name, {e.name: _samples(e) for e in feature.entities}, filled)
    plans = [_entity_plan(e, by_name, filled[e.name], roles, limits) for e in feature.entities]
    for plan in plans:
        plan.filled_relations = filled[plan.entity.name]
        plan.shared_parents = [
            column
            for column in plan.filled_relations
            if not any(column in unique.members for unique in plan.entity.composite_unique)
        ]
        plan.embeds = [
            _embed_check(embed, plan, by_name[embed.target], plans, limits)
            for embed in plan.entity.embeds
        ]
        pooled = {check.column for check in plan.embeds if check.pool}
        plan.shared_parents = [c for c in plan.shared_parents if c not in pooled]
        filtered = {member for _, member, _ in plan.filterable}
        unfilled = [r for r in plan.entity.relations if r.column not in plan.filled_relations]
        # A link unique on its own (a one_to_one), or with what one user's rows all share
        # (owner, tenant), needs a parent per row; other links share two.
        alone = {
            tuple(m for m in unique.members if m not in ("owner_id", TENANT))
            for unique in plan.entity.composite_unique
        }
        plan.unfilled_links = {
            r.column: (r.target_snake, plan.rows(3) if (r.column,) in alone else 2)
            for r in unfilled
            if r.column in filtered
        }
        # A duplicate cannot copy a link the factory leaves empty: no payload holds it.
        plan.unique_copied = [
            name for name in plan.unique_copied if name not in {r.column for r in unfilled}
        ]
        # And copying collides only where some constraint's members are all copied and
        # none is null in the first payload (a null never collides).
        first = plan.samples[0] if plan.samples else {}
        collides = [
            group
            for group in _unique_groups(plan.entity)
            if (kept := [m for m in group if m not in ("owner_id", TENANT)])
            and all(m in plan.unique_copied and first.get(m, 0) is not None for m in kept)
        ]
        if not collides:
            plan.unique_copied = []
    parents = {
        r.target for e in feature.entities for r in e.relations if r.column in filled[e.name]
    }
    limited = {name: limits.of(name) for name in sorted(parents)}
    for plan in plans:
        targets = {r.column: r.target for r in plan.entity.relations}
        plan.links_left_empty = [
            column
            for column in links_left_empty(plan.entity)
            if column in plan.filled_relations and limited.get(targets[column]) is not None
        ]
    return FeatureTestPlan(
        feature=feature,
        actor_roles=_actor_roles(feature),
        entities=plans,
        limited={name: limit for name, limit in limited.items() if limit is not None},
    )


def _embed_check(
    embed: EmbedContext,
    plan: EntityTestPlan,
    parent: EntityContext,
    plans: list[EntityTestPlan],
    limits: RowLimits,
) -> EmbedCheck:
    entity = plan.entity
    parent_plan = next(p for p in plans if p.entity.name == parent.name)
    changed_field, new_values = _changeable_embedded_field(embed, parent, parent_plan.samples)
    stranger_sees_it = None
    if entity.rules["read"].open_to_any_user:
        stranger_sees_it = parent.rules["read"].open_to_any_user
    anonymous_sees_it = None
    if entity.rules["read"].public:
        anonymous_sees_it = parent.rules["read"].public
    # A page's rows point at parents taken in turn from a pool, so that a larger page has
    # more of them: a parent loaded row by row would cost more statements. Only for parents
    # the factory makes and rows may share (a unique or one_to_one member may not), and
    # within the parent's distinct samples, shared with its other relations to that parent.
    in_unique = any(embed.column in unique.members for unique in entity.composite_unique)
    pool = 0
    if embed.column in plan.filled_relations and not in_unique and not embed.self_reference:
        same_target = [r for r in entity.relations if r.column in plan.filled_relations]
        same_target = [r for r in same_target if r.target == embed.target]
        pool = SAMPLE_COUNT // len(same_target)
        pool = min(pool, limits.of(parent.name) or pool)
    return EmbedCheck(
        name=embed.name,
        column=embed.column,
        fields=("id", *(f.name for f in embed.fields)),
        nullable=embed.nullable,
        target_snake=parent.snake,
        target_path=parent.path,
        target_versioned=parent.versioned,
        changed_field=changed_field,
        new_values=new_values,
        stranger_sees_it=stranger_sees_it,
        anonymous_sees_it=anonymous_sees_it,
        pool=pool,
        movable=limits.allows(parent.name, 2),
    )


def _changeable_embedded_field(
    embed: EmbedContext, parent: EntityContext, samples: list[dict[str, Any]]
) -> tuple[str | None, tuple[Any, ...]]:
    """An embedded field a PATCH of the parent may set to either of two sample values.

    Not a unique field (another parent may hold the value), nor one a check or a
    transition constrains, and one whose value comes back as it was sent.
    """
    constrained = {t.field for t in parent.entity.transitions} | set(parent.checked_fields)
    for f in embed.fields:
        if (
            f.update_line is None
            or f.field.unique
            or f.name in constrained
            or f.field.type not in ECHOED_TYPES
        ):
            continue
        distinct = list({repr(row[f.name]): row[f.name] for row in samples}.values())
        if len(distinct) > 1:  # one of two distinct values differs from the parent's
            return f.name, tuple(distinct[:2])
    return None, ()


def _unique_groups(entity: EntityContext) -> list[tuple[str, ...]]:
    """The members of each uniqueness constraint, the tenant left out: one user's rows all
    share it, as they share their owner."""
    return [(name,) for name in entity.unique_fields] + [u.members for u in entity.composite_unique]


def _sample_cycle(entity: EntityContext, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The samples a factory cycles through: cut where a constraint's values first repeat.

    A constraint whose fields admit few values (an enum, a bool, `int(1..3)`) repeats them
    before the last sample; cut there, every constraint's values repeat exactly when the
    cycle does, so any run of rows shorter than the cycle is free of duplicates.
    """
    cycle = len(rows)
    for group in _unique_groups(entity):
        members = [name for name in group if name in rows[0]]
        if not members:
            continue
        seen: set[str] = set()
        for index, row in enumerate(rows[:cycle]):
            key = repr([row[name] for name in members])
            if key in seen:
                cycle = index
                break
            seen.add(key)
    return rows[:cycle]


@dataclass
class RowLimits:
    """How many rows of an entity one user can make in one test, unique keys kept distinct.

    A factory hands out its samples in turn and makes a new parent for each row, up to the
    parent's own limit (then it reuses one it made). `None`: more than any test makes.
    """

    by_name: dict[str, EntityContext]
    samples: dict[str, list[dict[str, Any]]]
    filled: dict[str, list[str]]
    _known: dict[tuple[str, frozenset[str]], int | None] = field(default_factory=dict)
    _draws: dict[tuple[str, str], int] = field(default_factory=dict)

    def of(self, name: str, fixed: frozenset[str] = frozenset()) -> int | None:
        """The limit, with the relation columns in `fixed` pointing at one shared parent."""
        key = (name, fixed)
        if key not in self._known:
            self._known[key] = self._count(name, fixed)
        return self._known[key]

    def made_with(self, made: str, counted: str) -> int:
        """Rows of `counted` a factory makes when it makes one `made` row: that row, and
        the parents it makes first (theirs too). Filled relations never close a loop."""
        entity = self.by_name[made]
        targets = {r.column: r.target for r in entity.relations}
        return int(made == counted) + sum(
            self.made_with(targets[column], counted) for column in self.filled[made]
        )

    def draws_per_row(self, name: str, target: str) -> int:
        """At most how many `target` parents the factory makes per `name` row. Its counter
        is one pool for every row it makes: a row that makes a `name` row as a parent may
        draw from the same pool for its other relations (and so may their parents)."""
        key = (name, target)
        if key not in self._draws:
            self._draws[key] = max(
                -(-self.made_with(maker, target) // made)
                for maker in self.by_name
                if (made := self.made_with(maker, name))
            )
        return self._draws[key]

    def _parent_made(
        self,
        name: str,
        targets: dict[str, str],
        column: str,
        index: int,
        cap: int | None,
        left_empty: bool,
    ) -> int | None:
        """Which parent the factory gives the `index`-th `name` row on `column`: new
        parents up to the target's limit, drawn in turn by every relation to it, then
        the ones made, round in order; or none, for a link the factory leaves empty
        (`left_empty`) once new parents run out."""
        same = [c for c, target in targets.items() if target == targets[column]]
        drawn = index * self.draws_per_row(name, targets[column]) + same.index(column)
        if cap is None or drawn < cap:
            return drawn
        return None if left_empty else (drawn - cap) % cap

    def allows(self, name: str, rows: int, fixed: frozenset[str] = frozenset()) -> bool:
        limit = self.of(name, fixed)
        return limit is None or rows <= limit

    def _count(self, name: str, fixed: frozenset[str]) -> int | None:
        entity = self.by_name[name]
        samples = self.samples[name]
        targets = {r.column: r.target for r in entity.relations if r.column in self.filled[name]}
        left_empty = set(links_left_empty(entity))
        limit: int | None = None
        for group in _unique_groups(entity):
            if any(
                r.column in group and r.column not in targets and r.column not in fixed
                for r in entity.relations
            ):
                continue  # an empty link: nulls never collide
            parents = {m: self.of(targets[m]) for m in group if m in targets and m not in fixed}
            if any(_always_null(entity, m, samples[0]) for m in group):
                continue  # a member no request sets is null, and nulls never collide
            seen: set[str] = set()
            for index in range(_CAPACITY_PROBE):
                row = samples[index % len(samples)]
                key = [row[m] for m in group if m in row]
                made = [
                    self._parent_made(name, targets, m, index, cap, m in left_empty)
                    for m, cap in parents.items()
                ]
                if None in made:
                    continue  # a link left empty: nulls never collide
                key += made
                text = repr(key)
                if text in seen:
                    limit = index if limit is None else min(limit, index)
                    break
                seen.add(text)
        return limit


def links_left_empty(entity: EntityContext) -> list[str]:
    """The optional relations a unique constraint holds: once the factory can make no new
    parent there, it leaves them empty rather than reuse one (a reused parent collides
    where a new one or a null would not). Not an embedded one: a page's statements are
    the same for every size only if its rows all have their parents' summaries to load
    (the entity's rows are limited by the parents instead)."""
    grouped = {member for group in _unique_groups(entity) for member in group}
    return [
        r.column
        for r in entity.relations
        if r.nullable and r.column in grouped and not r.relation.embed
    ]


def _set_by_server(entity: EntityContext, member: str, sample: dict[str, Any]) -> Field | None:
    """The field, if it is one the factory's rows never carry (read_only ones): the server
    gives every row its default, or null."""
    spec_field = entity.entity.field(member)
    return spec_field if spec_field is not None and member not in sample else None


def _always_null(entity: EntityContext, member: str, sample: dict[str, Any]) -> bool:
    """A field the factory's rows never carry and that has no default."""
    spec_field = _set_by_server(entity, member, sample)
    return spec_field is not None and not spec_field.has_default


def _filled_relations(feature: FeatureContext) -> dict[str, list[str]]:
    """The relations a factory fills by making the parent first.

    Every required relation, and each optional one that does not close a cycle (a
    self-reference, or two entities pointing at each other), so that rows made for a
    test have their links set and filters on them find something.
    """
    edges: dict[str, set[str]] = {e.name: set() for e in feature.entities}

    def reaches(start: str, goal: str) -> bool:
        seen: set[str] = set()
        stack = [start]
        while stack:
            node = stack.pop()
            if node == goal:
                return True
            if node not in seen:
                seen.add(node)
                stack.extend(edges[node])
        return False

    filled: dict[str, list[str]] = {e.name: [] for e in feature.entities}
    # Every entity's required relations before any optional one: an optional relation of
    # an entity declared early may point at one whose required relation points back.
    ordered = sorted(
        ((entity, relation) for entity in feature.entities for relation in entity.relations),
        key=lambda pair: pair[1].nullable,
    )
    for entity, relation in ordered:
        if relation.nullable and reaches(relation.target, entity.name):
            continue
        edges[entity.name].add(relation.target)
        filled[entity.name].append(relation.column)
    return filled


def _actor_roles(feature: FeatureContext) -> list[str]:
    """Roles of the user that drives the happy paths: enough to do every action.

    For each rule a plain signed-in user does not pass (and an owner would not either),
    the first role it names.
    """
    roles: set[str] = set()
    for entity in feature.entities:
        extra = [action.rule for action in entity.actions]
        extra += [entity.restore_rule] if entity.restore_rule else []
        # The actor sends and reads every field, those only some callers may too.
        extra += [*entity.field_reads.values(), *entity.field_writes.values()]
        for rule in [*entity.rules.values(), *extra]:
            if rule.open_to_any_user or (rule.owner and entity.owned):
                continue
            if rule.roles:
                roles.add(rule.roles[0])
    return sorted(roles)


def _nul_case(f: Field) -> Boundary | None:
    case = nul_case(f)
    return Boundary(f.name, case.label, case.value, case.valid) if case else None


def _check_data(entity: EntityContext) -> CheckData:
    return check_data(entity.entity)


def _meeting_checks(entity: EntityContext, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return meeting_checks(entity.entity, rows, _unique_groups(entity))


def _check_cases(
    entity: EntityContext, samples: list[dict[str, Any]]
) -> tuple[list[CheckCase], list[str]]:
    updatable = {f.name for f in entity.fields if f.update_line is not None}
    return check_cases(entity.entity, samples, updatable)


def _meets_in(data: CheckData, states: list[dict[str, Any]]) -> Callable[[dict[str, Any]], bool]:
    """Whether a payload meets every check in each of these states of it."""
    return lambda payload: all(data.meets_all({**payload, **state}) for state in states)


def _read_with(data: CheckData, name: str) -> tuple[str, ...]:
    """The fields the checks read together with `name`, and those read with them, and so
    on: fixing these (and no others) decides every check that `name`'s value can change,
    whichever sample the factory fills the rest from."""
    linked = {name}
    while True:
        grown = linked | {
            f for check in data.checks if linked & set(check.fields) for f in check.fields
        }
        if grown == linked:
            return tuple(sorted(linked - {name}))
        linked = grown


def _transition_cases(entity: EntityContext, sample: dict[str, Any]) -> list[TransitionCase]:
    data = _check_data(entity)
    cases: list[TransitionCase] = []
    for transitions in entity.entity.transitions:
        name = transitions.field
        others = _read_with(data, name)
        pairs: list[tuple[str, str, bool, dict[str, Any]]] = []
        for start, end in itertools.permutations(transitions.moves, 2):
            allowed = end in transitions.moves[start]
            # The row meets the checks before the move, and after it where it is allowed.
            states = [{name: start}, {name: end}] if allowed else [{name: start}]
            found = data.find({**sample, name: start}, others, _meets_in(data, states))
            if found is not None:
                pairs.append((start, end, allowed, found))
        cases.append(TransitionCase(name, dict(transitions.moves), pairs))
    return cases


def _samples(entity: EntityContext) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for index in range(SAMPLE_COUNT):
        row: dict[str, Any] = {}
        for f in entity.fields:
            if f.create_line is None:
                continue
            try:
                row[f.name] = valid_value(f.field, index)
            except SampleError as error:
                raise SpecError(
                    f"cannot make test data for {entity.name}.{f.name}: {error}",
                    f.field.location,
                    hint="give the field an `example` that satisfies its constraints",
                ) from None
        rows.append(row)
    return _sample_cycle(entity, _meeting_checks(entity, rows))


def _client_settable(entity: EntityContext) -> set[str]:
    """What a create body may carry: writable fields and the relations' ids."""
    fields = {f.name for f in entity.fields if f.create_line is not None}
    return fields | {r.column for r in entity.relations}


def _access(entity: EntityContext) -> EntityAccess:
    """The design's access model of the entity: the tests' statuses come from it, never from
    the context the code is rendered from, so a rendering mistake fails a test."""
    return access_of(entity.entity)


def _statuses(entity: EntityContext, roles: Roles, parents: list[EntityContext]) -> dict[str, int]:
    """What a caller gets from each CRUD action on a row someone else made."""
    access, above = _access(entity), [_access(p) for p in parents]
    return {a: expected_status(access, a, roles, parents=above) for a in _CRUD}


def _action_cases(
    entity: EntityContext, samples: list[dict[str, Any]]
) -> tuple[list[ActionCase], list[str]]:
    cases: list[ActionCase] = []
    untested: list[str] = []
    for action, spec in zip(entity.actions, entity.entity.actions, strict=True):
        case = _action_case(entity, action, spec, samples)
        if case is None:
            untested.append(action.name)
        else:
            cases.append(case)
    return cases, untested


def _action_case(
    entity: EntityContext, action: ActionContext, spec: CustomAction, samples: list[dict[str, Any]]
) -> ActionCase | None:
    """Create overrides for a row the action applies to (and one its guard refuses)."""
    rows = action_rows(entity.entity, spec, samples, _unique_groups(entity))
    if rows is None:
        return None
    return ActionCase(
        name=action.name,
        summary=action.summary,
        ready=rows.ready,
        again=rows.again,
        expected=rows.expected,
        stamped=rows.stamped,
        blocked=rows.blocked,
        message=rows.message,
        anonymous=expected_status(_access(entity), action.name, None),
        stranger=expected_status(_access(entity), action.name, ()),
    )


def _restore_statuses(entity: EntityContext) -> dict[str, int]:
    """Statuses of restoring another user's deleted row, without a token and without roles."""
    if entity.restore_rule is None:
        return {}
    return {
        "anonymous": expected_status(_access(entity), "restore", None),
        "stranger": expected_status(_access(entity), "restore", ()),
    }


def _inverse_check(
    inverse: InverseContext,
    entity: EntityContext,
    parent: EntityContext,
    anonymous: dict[str, int],
    stranger: dict[str, int],
    limits: RowLimits,
) -> InverseCheck:
    """Reading the parent answers first; past it, the child's list (`anonymous` and
    `stranger` are the child's own statuses)."""
    parents = 2 if limits.allows(parent.name, 2) else 1
    parent_anonymous = expected_status(_access(parent), "read", None)
    parent_stranger = expected_status(_access(parent), "read", ())
    return InverseCheck(
        name=inverse.name,
        column=inverse.column,
        parent_snake=parent.snake,
        parent_path=parent.path,
        anonymous=anonymous["list"] if parent_anonymous == 200 else parent_anonymous,
        stranger=stranger["list"] if parent_stranger == 200 else parent_stranger,
        rows=_rows_for_parents(entity, inverse.column, parents, 5, limits.of(entity.name)),
        parents=parents,
    )


def _in_unique(entity: EntityContext, column: str) -> bool:
    return any(column in group for group in _unique_groups(entity))


def _rows_for_parents(
    entity: EntityContext, column: str, parents: int, wanted: int, capacity: int | None
) -> int:
    """Rows a test makes for `parents` parents in turn: one each where the column is part
    of a unique constraint (two rows of one parent might collide), at most `capacity`."""
    rows = parents if _in_unique(entity, column) else wanted
    return rows if capacity is None else min(rows, capacity)


def _parent_filter_counts(
    entity: EntityContext,
    filters: list[tuple[str, str | None, str, str, str, str, bool]],
    capacity: int | None,
) -> tuple[int, int]:
    """Parents and rows of the parent-filter test, which makes rows for parents in turn."""
    rows = [_rows_for_parents(entity, str(f[1]), 3, 6, capacity) for f in filters]
    return 3, min(rows, default=6)


def _parent_of(flt: FilterContext, by_name: dict[str, EntityContext]) -> EntityContext:
    return next(e for e in by_name.values() if e.snake == flt.parent)


def _parent_kind(flt: FilterContext, by_name: dict[str, EntityContext]) -> str:
    """How the parent's field compares (`order_key` of the generated tests' helpers)."""
    field = next(f for f in _parent_of(flt, by_name).fields if f.name == flt.member)
    return _ORDER_KINDS.get(field.field.type, "plain")


def _page_sizes(entity: EntityContext, capacity: int | None) -> tuple[int, ...]:
    """Page sizes whose statement counts must agree (one size: nothing to compare)."""
    unique = bool(entity.unique_fields or entity.composite_unique)
    sizes = UNIQUE_PAGE_SIZES if unique else PAGE_SIZES
    if capacity is not None and capacity < max(sizes):
        sizes = (max(1, capacity // 4), max(1, capacity // 2), capacity)
    return tuple(sorted({min(size, entity.page_max) for size in sizes}))


def _computed_check(
    entity: EntityContext, computed: ComputedContext, source: EntityContext, limits: RowLimits
) -> ComputedCheck:
    stranger_counts_them = None
    if entity.rules["read"].open_to_any_user:
        stranger_counts_them = source.rules["list"].open_to_any_user
    # Rows pointing at one row, within what its unique constraints let one user make.
    linked = 3
    for limit in (limits.of(source.name, frozenset({computed.via_column})), limits.of(source.name)):
        linked = linked if limit is None else min(linked, limit)
    return ComputedCheck(
        name=computed.name,
        kind=computed.kind,
        source_snake=computed.source_snake,
        via_column=computed.via_column,
        field=computed.field,
        stranger_counts_them=stranger_counts_them,
        linked=linked,
        # The other row comes from the factory: a new one, not the row reused.
        elsewhere=limits.allows(source.name, linked + 1) and limits.allows(entity.name, 2),
    )


LARGE_PAGE = 50  # rows a statement-count test lists at once, page size allowing


def _link_check(
    entity: EntityContext,
    link: LinkContext,
    target: EntityContext,
    parents: list[EntityContext],
    roles: tuple[str, ...],
    capacity: int | None,
    limits: RowLimits,
) -> LinkCheck:
    outsider = next(
        (
            caller
            for caller in callers(roles)
            if expected_status(
                _access(entity), "create", caller.roles, parents=[_access(p) for p in parents]
            )
            == 201
            and expected_status(_access(target), "read", caller.roles) == 404
        ),
        None,
    )
    # Unique values let a test make only so many rows, counting those that making the two
    # targets makes: the targets themselves on a self link, or parents they are given.
    made_by_targets = 2 * limits.made_with(link.target, entity.name)
    distinct = LARGE_PAGE if capacity is None else capacity - made_by_targets
    large = max(1, min(LARGE_PAGE, entity.page_max, distinct))
    return LinkCheck(
        ids=link.ids,
        table=link.table,
        owner_column=link.owner_column,
        target=link.target,
        target_snake=link.target_snake,
        target_path=link.target_path,
        target_versioned=link.target_versioned,
        self_reference=link.self_reference,
        small_page=max(1, min(10, large // 5)),
        large_page=large,
        outsider=outsider,
        outsider_unset=unset_on_create(_access(entity), outsider.roles) if outsider else (),
    )


def _field_read_cases(
    entity: EntityContext,
    roles: tuple[str, ...],
    can_own: bool,
    by_name: dict[str, EntityContext],
) -> list[FieldReadCase]:
    """For each field with a read rule, the simplest caller it hides the field from.

    None is found when every caller who may read the row also sees the field; the
    actor's own reads, in the other tests, show that it is there for those it names.
    """
    cases: list[FieldReadCase] = []
    access = _access(entity)
    rules = access.actions
    for name, rule in access.field_reads.items():
        for caller in _field_callers(entity, roles, can_own):
            if caller.passes(rules["read"]) and not caller.passes(rule):
                unseen = tuple(
                    embed.name
                    for embed in entity.embeds
                    if not allows(
                        _access(by_name[embed.target]).actions["read"], caller.caller.roles
                    )
                )
                others = [
                    other
                    for other, other_rule in access.field_reads.items()
                    if other != name and not caller.passes(other_rule)
                ]
                lists = caller.passes(rules["list"])
                cases.append(FieldReadCase(name, caller, lists, unseen, (name, *others)))
                break
    return cases


def _field_write_cases(
    entity: EntityContext, roles: tuple[str, ...], can_own: bool, sample: dict[str, Any]
) -> list[FieldWriteCase]:
    """For each field with a write rule, a caller refused it on create and one on update."""
    access = _access(entity)
    rules = access.actions
    cases: list[FieldWriteCase] = []
    for name, rule in access.field_writes.items():
        signed_in = [c for c in _field_callers(entity, roles, can_own) if c.signed_in]
        # On create, the caller is about to own the row: an owner grant lets them.
        creator = next(
            (
                c
                for c in signed_in
                if not c.owns
                and c.passes(rules["create"])
                and name in unset_on_create(access, c.caller.roles)
            ),
            None,
        )
        updater = next(
            (
                c
                for c in signed_in
                if c.passes(rules["read"]) and c.passes(rules["update"]) and not c.passes(rule)
            ),
            None,
        )
        # An immutable field is not in the update body at all: sending it is a 422 for
        # everyone, whatever its write rule says.
        spec_field = entity.entity.field(name)
        if spec_field is None or not spec_field.writable_on_update:
            updater = None
        if creator or updater:
            cases.append(FieldWriteCase(name, sample[name], creator, updater))
    return cases


def _entity_plan(
    entity: EntityContext,
    by_name: dict[str, EntityContext],
    filled: list[str],
    roles: tuple[str, ...],
    limits: RowLimits,
) -> EntityTestPlan:
    samples = limits.samples[entity.name]
    capacity = limits.of(entity.name)
    writable = [f for f in entity.fields if f.create_line is not None]
    echoed = [f.name for f in writable if f.field.type in ECHOED_TYPES and f.field.readable]
    # Not every change of these is allowed: a move, or a field a check reads.
    moving = {t.field for t in entity.entity.transitions} | set(entity.checked_fields)
    updatable = [
        f
        for f in entity.fields
        if f.update_line is not None
        and f.field.readable
        and f.field.type in ECHOED_TYPES
        and f.name not in moving
    ]
    update_field = updatable[0].name if updatable else None
    update_value = samples[1 % len(samples)][update_field] if update_field else None
    non_nullable_updatable = [
        f.name for f in entity.fields if f.update_line is not None and not f.nullable
    ]
    data = _check_data(entity)
    boundaries = [
        Boundary(field=f.name, label=case.label, value=case.value, valid=case.valid)
        for f in writable
        for case in boundary_cases(f.field)
        # A valid value may still break a check with the sample's other fields.
        if not case.valid or data.meets_all({**samples[0], f.name: case.value})
    ]
    boundaries += [case for f in writable if (case := _nul_case(f.field)) is not None]
    check_cases, unbroken_checks = _check_cases(entity, samples)
    transition_cases = _transition_cases(entity, samples[0]) if samples else []
    action_cases, untested_actions = _action_cases(entity, samples)
    # The parents a sample row points at: every relation the factory fills, optional
    # ones included (another user's row there is unreadable to a stranger: a 422).
    parents = [by_name[r.target] for r in entity.relations if r.column in filled]
    stranger = _statuses(entity, (), parents)
    anonymous = _statuses(entity, None, parents)
    settable = _client_settable(entity)  # what a create body may carry
    readable_members = {f.name for f in entity.fields if f.field.readable} | {
        r.column for r in entity.relations
    }
    kinds = {f.name: _ORDER_KINDS.get(f.field.type, "plain") for f in entity.fields}
    # A field no request sets (read_only, no default) is null on every row a test makes:
    # a filter on it has nothing to match, so it is left to the fuzzer.
    filterable = [
        (flt.param, flt.member, flt.op)
        for flt in entity.filters
        if flt.parent is None
        and flt.member in readable_members
        and not (samples and _always_null(entity, flt.member, samples[0]))
    ]
    parent_filters = [
        (
            flt.param,
            flt.parent_column,
            flt.parent,
            flt.member,
            flt.op,
            _parent_kind(flt, by_name),
            # A stranger lists every row but may not read these parents: nothing matches.
            entity.rules["list"].open_to_any_user
            and not _parent_of(flt, by_name).rules["read"].open_to_any_user,
        )
        for flt in entity.filters
        if flt.parent is not None
        and limits.allows(_parent_of(flt, by_name).name, 3)
        and not _always_null(
            _parent_of(flt, by_name),
            flt.member,
            (limits.samples[_parent_of(flt, by_name).name] or [{}])[0],
        )
    ]
    children = [
        ChildCheck(
            child=child.entity,
            child_snake=by_name[child.entity].snake,
            child_path=by_name[child.entity].path,
            column=child.column,
            on_delete=child.on_delete.value,
        )
        for child in entity.children
    ]
    return EntityTestPlan(
        entity=entity,
        samples=samples,
        echoed=echoed,
        update_field=update_field,
        update_value=update_value,
        null_rejected_field=non_nullable_updatable[0] if non_nullable_updatable else None,
        boundaries=boundaries,
        required=[f.name for f in writable if f.field.required_on_create]
        + [r.column for r in entity.relations if not r.nullable],
        read_only=[f.name for f in entity.fields if f.field.read_only],
        immutable=[f.name for f in entity.fields if f.field.immutable],
        write_only=[f.name for f in entity.fields if f.field.write_only],
        order_kinds=kinds,
        anonymous=anonymous,
        stranger=stranger,
        stranger_lists_all=listed(_access(entity), (), owns=False),
        unique_updatable={
            name: bool(entity.entity.field(name) and entity.entity.field(name).writable_on_update)  # type: ignore[union-attr]
            for name in entity.unique_fields
        },
        children=children,
        inverses=[
            _inverse_check(i, entity, by_name[i.parent], anonymous, stranger, limits)
            for i in entity.inverses
        ],
        computed=[_computed_check(entity, c, by_name[c.source], limits) for c in entity.computed],
        page_sizes=_page_sizes(entity, capacity),
        capacity=capacity,
        parent_filter_counts=_parent_filter_counts(entity, parent_filters, capacity),
        filterable=filterable,
        parent_filters=parent_filters,
        search=[name for name in entity.search if name in readable_members and name in settable],
        restore=_restore_statuses(entity),
        check_cases=check_cases,
        transition_cases=transition_cases,
        action_cases=action_cases,
        untested_actions=untested_actions,
        unbroken_checks=unbroken_checks,
        # The server sets the owner and the tenant: a duplicate shares them by being made
        # by the same user.
        unique_copied=[
            n for n in entity.unique_attributes if n not in ("owner_id", TENANT) and n in settable
        ],
        unique_fields=[n for n in entity.unique_fields if n in settable],
        composite_unique=[
            u
            for u in entity.composite_unique
            if all(m in settable or m in ("owner_id", TENANT) for m in u.members)
        ],
        links=[
            _link_check(entity, link, by_name[link.target], parents, roles, capacity, limits)
            for link in entity.links
        ],
        field_reads=_field_read_cases(entity, roles, stranger["create"] == 201, by_name),
        field_writes=_field_write_cases(entity, roles, stranger["create"] == 201, samples[0]),
        unset_by_stranger=list(unset_on_create(_access(entity), ())),
        unset_by_anonymous=list(unset_on_create(_access(entity), None)),
        matrix=build_matrix(
            _access(entity),
            roles,
            [_access(p) for p in parents],
            [case.name for case in action_cases],
        ),
        tenant_parent=next(
            (
                r.column
                for r in entity.relations
                if entity.tenant and r.column in filled and by_name[r.target].tenant
            ),
            None,
        ),
    )
