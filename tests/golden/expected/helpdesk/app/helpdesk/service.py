"""Business rules of the Help desk feature.

Every function takes the caller (`user`, None when anonymous) and applies the entity's
access rules inside the query: a row the caller may not read is never loaded. Services
flush; the request's session commits once.
"""

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, exists, false, func, or_, select, true
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute, aliased, selectinload, with_expression
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.exc import StaleDataError
from sqlalchemy.orm.interfaces import LoaderOption

from app.auth.models import User
from app.core.access import (
    EntityAccess,
    Rule,
    Scope,
    authorize,
    authorize_row,
    hidden_fields,
    refuse_unwritable,
    scope_of,
    tenant_of,
)
from app.core.checks import (
    Check,
    all_of,
    any_of,
    compare,
    first_broken,
    member,
    minus,
    plus,
    times,
)
from app.core.concurrency import check_if_match
from app.core.db import utcnow
from app.core.errors import Conflict, InvalidInput, NotFound, PreconditionFailed
from app.core.pagination import SortOrder, paginate
from app.core.search import contains
from app.core.transitions import Moves, check_transition
from app.helpdesk import rules
from app.helpdesk.models import (
    CannedReply,
    Comment,
    Label,
    Ticket,
)
from app.helpdesk.schemas import (
    CannedReplyCreate,
    CannedReplyListQuery,
    CannedReplyUpdate,
    CommentCreate,
    CommentListQuery,
    CommentUpdate,
    LabelCreate,
    LabelListQuery,
    LabelUpdate,
    TicketCreate,
    TicketListQuery,
    TicketRead,
    TicketUpdate,
)


async def _flush(session: AsyncSession) -> None:
    """Flush; a constraint the checks could not foresee (a concurrent write) is a 409."""
    try:
        await session.flush()
    except IntegrityError:
        raise Conflict("The change conflicts with existing data; reload and retry.") from None
    except StaleDataError:
        # The conditional UPDATE/DELETE matched no row: another writer changed it first.
        raise PreconditionFailed("The row has changed since you read it; read it again.") from None


# --- Ticket -------------------------------------------------------------------

TICKET_ACCESS = EntityAccess(
    list=Rule(owner=True, roles=frozenset({"admin", "agent"})),
    read=Rule(owner=True, roles=frozenset({"admin", "agent"})),
    create=Rule(authenticated=True),
    update=Rule(owner=True, roles=frozenset({"admin", "agent"})),
    delete=Rule(owner=True, roles=frozenset({"admin"})),
)
TICKET_RESOLVE = Rule(roles=frozenset({"admin", "agent"}))  # who may resolve
TICKET_CLOSE = Rule(owner=True, roles=frozenset({"admin", "agent"}))  # who may close
TICKET_RESET_VOTES = Rule(roles=frozenset({"admin"}))  # who may reset_votes
# Fields only some callers see: the others get rows without them.
_TICKET_FIELD_READS: dict[str, Rule] = {
    "internal_note": Rule(roles=frozenset({"admin", "agent"})),
}
# Fields only some callers may send: the others get a 403 for sending them.
_TICKET_FIELD_WRITES: dict[str, Rule] = {
    "internal_note": Rule(roles=frozenset({"admin", "agent"})),
}


def show_ticket(user: User | None, ticket: Ticket) -> dict[str, Any]:
    """The response body of `ticket` for `user`: fields they may not see are left out."""
    hidden = hidden_fields(_TICKET_FIELD_READS, user, ticket.owner_id)
    return TicketRead.model_validate(ticket).model_dump(exclude=hidden)


# due_on is null or due_on >= opened_on
def _ticket_check_1(row: Mapping[str, Any]) -> bool | None:
    return any_of((row["due_on"] is None), compare(row["due_on"], ">=", row["opened_on"]))


# priority <= 2 or body is not null
def _ticket_check_2(row: Mapping[str, Any]) -> bool | None:
    return any_of(compare(row["priority"], "<=", 2), (row["body"] is not None))


# estimate_hours is null or due_on is null or estimate_hours <= (due_on - opened_on + 1) * 8
def _ticket_check_3(row: Mapping[str, Any]) -> bool | None:
    return any_of(
        (row["estimate_hours"] is None),
        (row["due_on"] is None),
        compare(
            row["estimate_hours"], "<=", times(plus(minus(row["due_on"], row["opened_on"]), 1), 8)
        ),
    )


# Cross-field checks, in the document's order: a broken one is a 422 with its message.
_TICKET_CHECKS: tuple[Check, ...] = (
    (_ticket_check_1, "A ticket cannot be due before it was opened."),
    (_ticket_check_2, "Urgent tickets (priority 3 and above) need a description."),
    (_ticket_check_3, "The estimate does not fit in the working days until the due date."),
)


def _check_ticket_rules(row: Mapping[str, Any]) -> None:
    if (message := first_broken(_TICKET_CHECKS, row)) is not None:
        raise InvalidInput(["body"], message, "check")


# The moves `status` may make; any other change of it is a 409.
_TICKET_STATUS_MOVES: Moves = {
    "open": ("in_progress", "closed"),
    "in_progress": ("open", "resolved"),
    "resolved": ("closed", "in_progress"),
    "closed": (),
}

_TICKET_SORTS: dict[str, tuple[InstrumentedAttribute[Any], bool]] = {
    "created_at": (Ticket.created_at, False),
    "priority": (Ticket.priority, False),
    "id": (Ticket.id, False),
}

# Loaded with every ticket this module returns: the ids of its links, in one
# statement for a whole page.
_TICKET_LINKS = (selectinload(Ticket.labels).load_only(Label.id),)


def _tickets_readable_by(user: User | None) -> ColumnElement[bool]:
    """What a ticket must meet for `user` to read it, as a condition (no 401 or 403).

    Filters of other lists and the summaries other responses embed use it: a
    ticket the caller may not read never matches and is embedded as null, so
    neither reveals its values.
    """
    scope = scope_of(TICKET_ACCESS.read, user)
    if scope is None or user is None or user.tenant is None:
        return false()
    condition: ColumnElement[bool] = true()
    condition = and_(condition, Ticket.tenant == user.tenant)  # never another tenant's
    if scope is Scope.OWN:
        assert user is not None  # noqa: S101 - Scope.OWN is only given to a signed-in user
        condition = and_(condition, Ticket.owner_id == user.id)
    return condition


def _ticket_ids(user: User | None, condition: ColumnElement[bool]) -> Select[int]:
    """The ids of the tickets `user` may read that meet `condition`."""
    return select(Ticket.id).where(condition, _tickets_readable_by(user))


def _select_tickets(user: User | None) -> Select[Ticket]:
    """The tickets with their computed fields, loaded by the same query.

    Each count or sum takes only the rows `user` may list: none when the list rule
    refuses them, their own when it scopes them to owners, live rows only.
    """
    statement = select(Ticket)
    reply_count_rows = aliased(CannedReply)
    reply_count_query = select(func.count(reply_count_rows.id))
    reply_count_query = reply_count_query.where(reply_count_rows.ticket_id == Ticket.id)
    reply_count_query = reply_count_query.where(reply_count_rows.deleted_at.is_(None))
    reply_count_scope = scope_of(CANNEDREPLY_ACCESS.list, user)
    if reply_count_scope is None:
        reply_count_query = reply_count_query.where(false())
    statement = statement.options(
        with_expression(Ticket.reply_count, reply_count_query.correlate(Ticket).scalar_subquery())
    )
    return statement


def _tickets_visible_to(user: User | None, rule: Rule, action: str) -> Select[Ticket]:
    """The tickets `user` may see for `action` (401/403 if none)."""
    statement = _select_tickets(user)
    if authorize(rule, user, action) is Scope.OWN:
        assert user is not None  # noqa: S101 - Scope.OWN is only given to a signed-in user
        statement = statement.where(Ticket.owner_id == user.id)
    statement = statement.where(Ticket.tenant == tenant_of(user))  # never another tenant's
    return statement


async def list_tickets(
    session: AsyncSession, user: User | None, query: TicketListQuery
) -> tuple[Sequence[Ticket], str | None]:
    """One page of the tickets the caller may read, and the next page's cursor."""
    statement = _tickets_visible_to(user, TICKET_ACCESS.list, "list")
    if query.status is not None:
        statement = statement.where(Ticket.status == query.status)
    if query.status__in is not None:
        statement = statement.where(Ticket.status.in_(query.status__in.split(",")))
    if query.priority is not None:
        statement = statement.where(Ticket.priority == query.priority)
    if query.priority__gte is not None:
        statement = statement.where(Ticket.priority >= query.priority__gte)
    if query.priority__lte is not None:
        statement = statement.where(Ticket.priority <= query.priority__lte)
    if query.q is not None:
        statement = statement.where(
            or_(
                contains(Ticket.title, query.q),
            )
        )
    statement = statement.options(*_TICKET_LINKS)
    key = query.sort.removeprefix("-")
    column, nullable = _TICKET_SORTS[key]
    order = SortOrder(
        key=key,
        column=column,
        id_column=Ticket.id,
        descending=query.sort.startswith("-"),
        nullable=nullable,
    )
    return await paginate(session, statement, order, limit=query.limit, cursor=query.cursor)


async def get_ticket(session: AsyncSession, user: User | None, ticket_id: int) -> Ticket:
    """The ticket, if the caller may read it; 404 otherwise."""
    statement = _tickets_visible_to(user, TICKET_ACCESS.read, "read")
    statement = statement.options(*_TICKET_LINKS)
    ticket = await session.scalar(statement.where(Ticket.id == ticket_id))
    if ticket is None:
        raise NotFound("Ticket", ticket_id)
    return ticket


async def _ticket_label_rows(
    session: AsyncSession, user: User | None, ids: list[int]
) -> list[Label]:
    """The labels `label_ids` names, read in one query.

    A 422 at the first id that is listed twice, does not exist, or names a row the caller
    may not read.
    """
    seen: set[int] = set()
    for index, value in enumerate(ids):
        if value in seen:
            raise InvalidInput(
                ["body", "label_ids", index], f"Label {value} is listed twice.", "duplicate"
            )
        seen.add(value)
    if not ids:
        return []
    statement = _labels_visible_to(user, LABEL_ACCESS.read, "read")
    found = {row.id: row for row in await session.scalars(statement.where(Label.id.in_(ids)))}
    for index, value in enumerate(ids):
        if value not in found:
            raise InvalidInput(
                ["body", "label_ids", index], f"Label {value} does not exist.", "foreign_key"
            )
    return list(found.values())


async def create_ticket(session: AsyncSession, user: User | None, data: TicketCreate) -> Ticket:
    authorize(TICKET_ACCESS.create, user, "create")
    # The caller is about to own the row: an `owner` grant lets them set the field.
    creator = user.id if user else None
    refuse_unwritable(_TICKET_FIELD_WRITES, data.model_fields_set, user, creator)
    values = data.model_dump()
    assert user is not None  # noqa: S101 - the spec never lets anonymous callers create owned rows
    values["owner_id"] = user.id
    values["tenant"] = tenant_of(user)  # the row belongs to the creator's tenant
    _check_ticket_rules(values)
    await rules.before_create_ticket(session, user, values)
    label_rows = await _ticket_label_rows(session, user, values.pop("label_ids"))
    ticket = Ticket(**values, labels=label_rows)
    ticket.reply_count = 0  # a new row: nothing points at it yet
    session.add(ticket)
    await _flush(session)
    return ticket


async def update_ticket(
    session: AsyncSession,
    user: User | None,
    ticket: Ticket,
    data: TicketUpdate,
    if_match: str | None,
) -> Ticket:
    authorize_row(TICKET_ACCESS.update, user, "update", ticket.owner_id)
    refuse_unwritable(_TICKET_FIELD_WRITES, data.model_fields_set, user, ticket.owner_id)
    check_if_match(if_match, ticket.version)
    changes = data.model_dump(exclude_unset=True)
    check_transition("status", ticket.status, changes.get("status"), _TICKET_STATUS_MOVES)
    merged = {
        name: getattr(ticket, name)
        for name in ("due_on", "opened_on", "priority", "body", "estimate_hours")
    }
    _check_ticket_rules({**merged, **changes})
    await rules.before_update_ticket(session, user, ticket, changes)
    if "label_ids" in changes:  # sent: the new set replaces the old one
        ticket.labels = await _ticket_label_rows(session, user, changes.pop("label_ids"))
        ticket.updated_at = utcnow()  # the links live in another table: the row changed too
    for name, value in changes.items():
        setattr(ticket, name, value)
    ticket.version += 1  # every accepted write makes a new version, even a no-op one
    await _flush(session)
    return ticket


async def delete_ticket(
    session: AsyncSession, user: User | None, ticket: Ticket, if_match: str | None
) -> None:
    authorize_row(TICKET_ACCESS.delete, user, "delete", ticket.owner_id)
    check_if_match(if_match, ticket.version)
    await rules.before_delete_ticket(session, user, ticket)
    await session.delete(ticket)
    await _flush(session)


# status == "in_progress" and body is not null
def _ticket_resolve_allowed(row: Mapping[str, Any]) -> bool | None:
    return all_of(compare(row["status"], "==", "in_progress"), (row["body"] is not None))


async def resolve_ticket(session: AsyncSession, user: User | None, ticket: Ticket) -> Ticket:
    """Resolve: sets status='resolved'."""
    authorize_row(TICKET_RESOLVE, user, "resolve", ticket.owner_id)
    row = {name: getattr(ticket, name) for name in ("status", "body")}
    if _ticket_resolve_allowed(row) is not True:  # an unknown guard does not allow it
        raise Conflict("Only a ticket in progress, with a description, can be resolved.")
    changes: dict[str, Any] = {
        "status": "resolved",
    }
    check_transition("status", ticket.status, changes["status"], _TICKET_STATUS_MOVES)
    merged = {
        name: getattr(ticket, name)
        for name in ("due_on", "opened_on", "priority", "body", "estimate_hours")
    }
    if (message := first_broken(_TICKET_CHECKS, {**merged, **changes})) is not None:
        raise Conflict(message)
    for name, value in changes.items():
        setattr(ticket, name, value)
    ticket.version += 1
    await _flush(session)
    return ticket


# status in ["open", "resolved"]
def _ticket_close_allowed(row: Mapping[str, Any]) -> bool | None:
    return member(
        row["status"],
        (
            "open",
            "resolved",
        ),
    )


async def close_ticket(session: AsyncSession, user: User | None, ticket: Ticket) -> Ticket:
    """Close the ticket and record when."""
    authorize_row(TICKET_CLOSE, user, "close", ticket.owner_id)
    row = {name: getattr(ticket, name) for name in ("status",)}
    if _ticket_close_allowed(row) is not True:  # an unknown guard does not allow it
        raise Conflict("Only an open or resolved ticket can be closed.")
    changes: dict[str, Any] = {
        "status": "closed",
        "closed_at": utcnow(),
    }
    check_transition("status", ticket.status, changes["status"], _TICKET_STATUS_MOVES)
    merged = {
        name: getattr(ticket, name)
        for name in ("due_on", "opened_on", "priority", "body", "estimate_hours")
    }
    if (message := first_broken(_TICKET_CHECKS, {**merged, **changes})) is not None:
        raise Conflict(message)
    for name, value in changes.items():
        setattr(ticket, name, value)
    ticket.version += 1
    await _flush(session)
    return ticket


async def reset_votes_ticket(session: AsyncSession, user: User | None, ticket: Ticket) -> Ticket:
    """Reset_votes: sets votes=0."""
    authorize_row(TICKET_RESET_VOTES, user, "reset_votes", ticket.owner_id)
    changes: dict[str, Any] = {
        "votes": 0,
    }
    merged = {
        name: getattr(ticket, name)
        for name in ("due_on", "opened_on", "priority", "body", "estimate_hours")
    }
    if (message := first_broken(_TICKET_CHECKS, {**merged, **changes})) is not None:
        raise Conflict(message)
    for name, value in changes.items():
        setattr(ticket, name, value)
    ticket.version += 1
    await _flush(session)
    return ticket


# --- CannedReply --------------------------------------------------------------

CANNEDREPLY_ACCESS = EntityAccess(
    list=Rule(authenticated=True),
    read=Rule(authenticated=True),
    create=Rule(roles=frozenset({"admin", "agent"})),
    update=Rule(roles=frozenset({"admin", "agent"})),
    delete=Rule(roles=frozenset({"admin", "agent"})),
)
CANNEDREPLY_RESTORE = Rule(roles=frozenset({"admin", "agent"}))

_CANNEDREPLY_SORTS: dict[str, tuple[InstrumentedAttribute[Any], bool]] = {
    "id": (CannedReply.id, False),
}


def _canned_reply_summaries(user: User | None) -> tuple[LoaderOption, ...]:
    """Loader options for the parents that canned reply responses embed.

    One statement per relation for a whole page; a parent `user` may not read is None.
    """
    return (selectinload(CannedReply.ticket.and_(_tickets_readable_by(user))),)


async def _load_canned_reply_summaries(
    session: AsyncSession, user: User | None, canned_reply: CannedReply
) -> None:
    """(Re)load the parents the response of a write embeds: the write may have moved them."""
    ticket_row = None
    if canned_reply.ticket_id is not None:
        ticket_row = await session.scalar(
            select(Ticket).where(Ticket.id == canned_reply.ticket_id, _tickets_readable_by(user))
        )
    set_committed_value(canned_reply, "ticket", ticket_row)


def _canned_replies_visible_to(
    user: User | None, rule: Rule, action: str, *, deleted: bool = False
) -> Select[CannedReply]:
    """The canned_replies `user` may see for `action` (401/403 if none): the live ones, or
    with `deleted`, the soft-deleted ones."""
    statement = select(CannedReply).where(
        CannedReply.deleted_at.is_not(None) if deleted else CannedReply.deleted_at.is_(None)
    )
    authorize(rule, user, action)
    statement = statement.where(CannedReply.tenant == tenant_of(user))  # never another tenant's
    return statement


async def list_canned_replies(
    session: AsyncSession,
    user: User | None,
    query: CannedReplyListQuery,
    *,
    ticket_id: int | None = None,
) -> tuple[Sequence[CannedReply], str | None]:
    """One page of the canned_replies the caller may read, and the next page's cursor.

    A parent's id (`ticket_id`) keeps the page to that parent's rows.
    """
    statement = _canned_replies_visible_to(user, CANNEDREPLY_ACCESS.list, "list")
    if ticket_id is not None:
        statement = statement.where(CannedReply.ticket_id == ticket_id)
    statement = statement.options(*_canned_reply_summaries(user))
    key = query.sort.removeprefix("-")
    column, nullable = _CANNEDREPLY_SORTS[key]
    order = SortOrder(
        key=key,
        column=column,
        id_column=CannedReply.id,
        descending=query.sort.startswith("-"),
        nullable=nullable,
    )
    return await paginate(session, statement, order, limit=query.limit, cursor=query.cursor)


async def get_canned_reply(
    session: AsyncSession, user: User | None, canned_reply_id: int
) -> CannedReply:
    """The canned_reply, if the caller may read it; 404 otherwise."""
    statement = _canned_replies_visible_to(user, CANNEDREPLY_ACCESS.read, "read")
    statement = statement.options(*_canned_reply_summaries(user))
    canned_reply = await session.scalar(statement.where(CannedReply.id == canned_reply_id))
    if canned_reply is None:
        raise NotFound("CannedReply", canned_reply_id)
    return canned_reply


async def _check_canned_reply_references(
    session: AsyncSession, user: User | None, values: dict[str, Any]
) -> None:
    """Each referenced row must exist and be readable by the caller (else 422)."""
    if (value := values.get("ticket_id")) is not None:
        ticket_rows = _tickets_visible_to(user, TICKET_ACCESS.read, "read")
        if await session.scalar(ticket_rows.where(Ticket.id == value)) is None:
            raise InvalidInput(
                ["body", "ticket_id"], f"Ticket {value} does not exist.", "foreign_key"
            )


async def _check_canned_reply_unique(
    session: AsyncSession, values: dict[str, Any], exclude_id: int | None
) -> None:
    """409 if another canned_reply already has these unique values."""
    # Soft-deleted rows keep their values but not their claim to them.
    others = select(CannedReply.id).where(
        CannedReply.id != exclude_id, CannedReply.deleted_at.is_(None)
    )
    others = others.where(CannedReply.tenant == values["tenant"])  # unique per tenant
    if values.get("name") is not None and await session.scalar(
        select(exists(others.where(CannedReply.name == values["name"])))
    ):
        raise Conflict("A canned reply with this name already exists.")


async def create_canned_reply(
    session: AsyncSession, user: User | None, data: CannedReplyCreate
) -> CannedReply:
    authorize(CANNEDREPLY_ACCESS.create, user, "create")
    values = data.model_dump()
    values["tenant"] = tenant_of(user)  # the row belongs to the creator's tenant
    await rules.before_create_canned_reply(session, user, values)
    await _check_canned_reply_references(session, user, values)
    await _check_canned_reply_unique(session, values, exclude_id=None)
    canned_reply = CannedReply(**values)
    session.add(canned_reply)
    await _flush(session)
    await _load_canned_reply_summaries(session, user, canned_reply)
    return canned_reply


async def update_canned_reply(
    session: AsyncSession,
    user: User | None,
    canned_reply: CannedReply,
    data: CannedReplyUpdate,
    if_match: str | None,
) -> CannedReply:
    authorize_row(CANNEDREPLY_ACCESS.update, user, "update", None)
    check_if_match(if_match, canned_reply.version)
    changes = data.model_dump(exclude_unset=True)
    await rules.before_update_canned_reply(session, user, canned_reply, changes)
    await _check_canned_reply_references(session, user, changes)
    current = {name: getattr(canned_reply, name) for name in ("tenant", "name")}
    await _check_canned_reply_unique(session, {**current, **changes}, exclude_id=canned_reply.id)
    for name, value in changes.items():
        setattr(canned_reply, name, value)
    canned_reply.version += 1  # every accepted write makes a new version, even a no-op one
    await _flush(session)
    await _load_canned_reply_summaries(session, user, canned_reply)
    return canned_reply


async def delete_canned_reply(
    session: AsyncSession, user: User | None, canned_reply: CannedReply, if_match: str | None
) -> None:
    authorize_row(CANNEDREPLY_ACCESS.delete, user, "delete", None)
    check_if_match(if_match, canned_reply.version)
    await rules.before_delete_canned_reply(session, user, canned_reply)
    canned_reply.deleted_at = utcnow()  # soft delete: hidden from now on, restorable
    canned_reply.version += 1
    await _flush(session)


async def restore_canned_reply(
    session: AsyncSession, user: User | None, canned_reply_id: int
) -> CannedReply:
    """Bring back a soft-deleted canned reply (404 if there is none the caller may restore)."""
    statement = _canned_replies_visible_to(user, CANNEDREPLY_RESTORE, "restore", deleted=True)
    statement = statement.options(*_canned_reply_summaries(user))
    canned_reply = await session.scalar(statement.where(CannedReply.id == canned_reply_id))
    if canned_reply is None:
        raise NotFound("Deleted CannedReply", canned_reply_id)
    current = {name: getattr(canned_reply, name) for name in ("tenant", "name")}
    await _check_canned_reply_unique(session, current, exclude_id=canned_reply.id)
    canned_reply.deleted_at = None
    canned_reply.version += 1
    await _flush(session)
    return canned_reply


# --- Comment ------------------------------------------------------------------

COMMENT_ACCESS = EntityAccess(
    list=Rule(authenticated=True),
    read=Rule(authenticated=True),
    create=Rule(authenticated=True),
    update=Rule(owner=True, roles=frozenset({"admin"})),
    delete=Rule(owner=True, roles=frozenset({"admin"})),
)

_COMMENT_SORTS: dict[str, tuple[InstrumentedAttribute[Any], bool]] = {
    "id": (Comment.id, False),
}


def _comments_readable_by(user: User | None) -> ColumnElement[bool]:
    """What a comment must meet for `user` to read it, as a condition (no 401 or 403).

    Filters of other lists and the summaries other responses embed use it: a
    comment the caller may not read never matches and is embedded as null, so
    neither reveals its values.
    """
    scope = scope_of(COMMENT_ACCESS.read, user)
    if scope is None or user is None or user.tenant is None:
        return false()
    condition: ColumnElement[bool] = true()
    condition = and_(condition, Comment.tenant == user.tenant)  # never another tenant's
    if scope is Scope.OWN:
        assert user is not None  # noqa: S101 - Scope.OWN is only given to a signed-in user
        condition = and_(condition, Comment.owner_id == user.id)
    return condition


def _comment_summaries(user: User | None) -> tuple[LoaderOption, ...]:
    """Loader options for the parents that comment responses embed.

    One statement per relation for a whole page; a parent `user` may not read is None.
    """
    return (
        selectinload(Comment.ticket.and_(_tickets_readable_by(user))),
        selectinload(Comment.reply_to.and_(_comments_readable_by(user))),
    )


async def _load_comment_summaries(
    session: AsyncSession, user: User | None, comment: Comment
) -> None:
    """(Re)load the parents the response of a write embeds: the write may have moved them."""
    ticket_row = await session.scalar(
        select(Ticket).where(Ticket.id == comment.ticket_id, _tickets_readable_by(user))
    )
    set_committed_value(comment, "ticket", ticket_row)
    reply_to_row = None
    if comment.reply_to_id is not None:
        reply_to_row = await session.scalar(
            select(Comment).where(Comment.id == comment.reply_to_id, _comments_readable_by(user))
        )
    set_committed_value(comment, "reply_to", reply_to_row)


def _select_comments(user: User | None) -> Select[Comment]:
    """The comments with their computed fields, loaded by the same query.

    Each count or sum takes only the rows `user` may list: none when the list rule
    refuses them, their own when it scopes them to owners.
    """
    statement = select(Comment)
    reply_count_rows = aliased(Comment)
    reply_count_query = select(func.count(reply_count_rows.id))
    reply_count_query = reply_count_query.where(reply_count_rows.reply_to_id == Comment.id)
    reply_count_scope = scope_of(COMMENT_ACCESS.list, user)
    if reply_count_scope is None:
        reply_count_query = reply_count_query.where(false())
    elif reply_count_scope is Scope.OWN:
        assert user is not None  # noqa: S101 - Scope.OWN is only given to a signed-in user
        reply_count_query = reply_count_query.where(reply_count_rows.owner_id == user.id)
    statement = statement.options(
        with_expression(Comment.reply_count, reply_count_query.correlate(Comment).scalar_subquery())
    )
    return statement


def _comments_visible_to(user: User | None, rule: Rule, action: str) -> Select[Comment]:
    """The comments `user` may see for `action` (401/403 if none)."""
    statement = _select_comments(user)
    if authorize(rule, user, action) is Scope.OWN:
        assert user is not None  # noqa: S101 - Scope.OWN is only given to a signed-in user
        statement = statement.where(Comment.owner_id == user.id)
    statement = statement.where(Comment.tenant == tenant_of(user))  # never another tenant's
    return statement


async def list_comments(
    session: AsyncSession,
    user: User | None,
    query: CommentListQuery,
    *,
    ticket_id: int | None = None,
    reply_to_id: int | None = None,
) -> tuple[Sequence[Comment], str | None]:
    """One page of the comments the caller may read, and the next page's cursor.

    A parent's id (`ticket_id`, `reply_to_id`) keeps the page to that parent's rows.
    """
    statement = _comments_visible_to(user, COMMENT_ACCESS.list, "list")
    if ticket_id is not None:
        statement = statement.where(Comment.ticket_id == ticket_id)
    if reply_to_id is not None:
        statement = statement.where(Comment.reply_to_id == reply_to_id)
    if query.ticket_id is not None:
        statement = statement.where(Comment.ticket_id == query.ticket_id)
    if query.ticket__status is not None:
        statement = statement.where(
            Comment.ticket_id.in_(_ticket_ids(user, Ticket.status == query.ticket__status))
        )
    if query.ticket__status__in is not None:
        statement = statement.where(
            Comment.ticket_id.in_(
                _ticket_ids(user, Ticket.status.in_(query.ticket__status__in.split(",")))
            )
        )
    if query.ticket__priority is not None:
        statement = statement.where(
            Comment.ticket_id.in_(_ticket_ids(user, Ticket.priority == query.ticket__priority))
        )
    if query.ticket__priority__gte is not None:
        statement = statement.where(
            Comment.ticket_id.in_(_ticket_ids(user, Ticket.priority >= query.ticket__priority__gte))
        )
    if query.ticket__priority__lte is not None:
        statement = statement.where(
            Comment.ticket_id.in_(_ticket_ids(user, Ticket.priority <= query.ticket__priority__lte))
        )
    statement = statement.options(*_comment_summaries(user))
    key = query.sort.removeprefix("-")
    column, nullable = _COMMENT_SORTS[key]
    order = SortOrder(
        key=key,
        column=column,
        id_column=Comment.id,
        descending=query.sort.startswith("-"),
        nullable=nullable,
    )
    return await paginate(session, statement, order, limit=query.limit, cursor=query.cursor)


async def get_comment(session: AsyncSession, user: User | None, comment_id: int) -> Comment:
    """The comment, if the caller may read it; 404 otherwise."""
    statement = _comments_visible_to(user, COMMENT_ACCESS.read, "read")
    statement = statement.options(*_comment_summaries(user))
    comment = await session.scalar(statement.where(Comment.id == comment_id))
    if comment is None:
        raise NotFound("Comment", comment_id)
    return comment


async def _check_comment_references(
    session: AsyncSession, user: User | None, values: dict[str, Any]
) -> None:
    """Each referenced row must exist and be readable by the caller (else 422)."""
    if (value := values.get("ticket_id")) is not None:
        ticket_rows = _tickets_visible_to(user, TICKET_ACCESS.read, "read")
        if await session.scalar(ticket_rows.where(Ticket.id == value)) is None:
            raise InvalidInput(
                ["body", "ticket_id"], f"Ticket {value} does not exist.", "foreign_key"
            )
    if (value := values.get("reply_to_id")) is not None:
        reply_to_rows = _comments_visible_to(user, COMMENT_ACCESS.read, "read")
        if await session.scalar(reply_to_rows.where(Comment.id == value)) is None:
            raise InvalidInput(
                ["body", "reply_to_id"], f"Comment {value} does not exist.", "foreign_key"
            )


async def create_comment(session: AsyncSession, user: User | None, data: CommentCreate) -> Comment:
    authorize(COMMENT_ACCESS.create, user, "create")
    values = data.model_dump()
    assert user is not None  # noqa: S101 - the spec never lets anonymous callers create owned rows
    values["owner_id"] = user.id
    values["tenant"] = tenant_of(user)  # the row belongs to the creator's tenant
    await rules.before_create_comment(session, user, values)
    await _check_comment_references(session, user, values)
    comment = Comment(**values)
    comment.reply_count = 0  # a new row: nothing points at it yet
    session.add(comment)
    await _flush(session)
    await _load_comment_summaries(session, user, comment)
    return comment


async def _check_comment_reply_to_cycle(
    session: AsyncSession, row_id: int, reply_to_id: int
) -> None:
    """422 if `reply_to_id` is the row itself or a row below it: the links would loop."""
    chain = (
        select(Comment.id, Comment.reply_to_id)
        .where(Comment.id == reply_to_id)
        .cte("chain", recursive=True)
    )
    above = aliased(Comment)
    chain = chain.union(select(above.id, above.reply_to_id).where(above.id == chain.c.reply_to_id))
    if await session.scalar(select(exists().where(chain.c.id == row_id))):
        raise InvalidInput(
            ["body", "reply_to_id"],
            f"Comment {row_id} cannot be placed under itself or a row below it.",
            "cycle",
        )


async def update_comment(
    session: AsyncSession, user: User | None, comment: Comment, data: CommentUpdate
) -> Comment:
    authorize_row(COMMENT_ACCESS.update, user, "update", comment.owner_id)
    changes = data.model_dump(exclude_unset=True)
    await rules.before_update_comment(session, user, comment, changes)
    await _check_comment_references(session, user, changes)
    if (value := changes.get("reply_to_id")) is not None:
        await _check_comment_reply_to_cycle(session, comment.id, value)
    for name, value in changes.items():
        setattr(comment, name, value)
    await _flush(session)
    await _load_comment_summaries(session, user, comment)
    return comment


async def delete_comment(session: AsyncSession, user: User | None, comment: Comment) -> None:
    authorize_row(COMMENT_ACCESS.delete, user, "delete", comment.owner_id)
    await rules.before_delete_comment(session, user, comment)
    await session.delete(comment)
    await _flush(session)


# --- Label --------------------------------------------------------------------

LABEL_ACCESS = EntityAccess(
    list=Rule(authenticated=True),
    read=Rule(authenticated=True),
    create=Rule(roles=frozenset({"admin", "agent"})),
    update=Rule(roles=frozenset({"admin", "agent"})),
    delete=Rule(roles=frozenset({"admin", "agent"})),
)

_LABEL_SORTS: dict[str, tuple[InstrumentedAttribute[Any], bool]] = {
    "id": (Label.id, False),
}


def _labels_visible_to(user: User | None, rule: Rule, action: str) -> Select[Label]:
    """The labels `user` may see for `action` (401/403 if none)."""
    statement = select(Label)
    authorize(rule, user, action)
    statement = statement.where(Label.tenant == tenant_of(user))  # never another tenant's
    return statement


async def list_labels(
    session: AsyncSession, user: User | None, query: LabelListQuery
) -> tuple[Sequence[Label], str | None]:
    """One page of the labels the caller may read, and the next page's cursor."""
    statement = _labels_visible_to(user, LABEL_ACCESS.list, "list")
    key = query.sort.removeprefix("-")
    column, nullable = _LABEL_SORTS[key]
    order = SortOrder(
        key=key,
        column=column,
        id_column=Label.id,
        descending=query.sort.startswith("-"),
        nullable=nullable,
    )
    return await paginate(session, statement, order, limit=query.limit, cursor=query.cursor)


async def get_label(session: AsyncSession, user: User | None, label_id: int) -> Label:
    """The label, if the caller may read it; 404 otherwise."""
    statement = _labels_visible_to(user, LABEL_ACCESS.read, "read")
    label = await session.scalar(statement.where(Label.id == label_id))
    if label is None:
        raise NotFound("Label", label_id)
    return label


async def _check_label_unique(
    session: AsyncSession, values: dict[str, Any], exclude_id: int | None
) -> None:
    """409 if another label already has these unique values."""
    others = select(Label.id).where(Label.id != exclude_id)
    others = others.where(Label.tenant == values["tenant"])  # unique per tenant
    if values.get("name") is not None and await session.scalar(
        select(exists(others.where(Label.name == values["name"])))
    ):
        raise Conflict("A label with this name already exists.")


async def create_label(session: AsyncSession, user: User | None, data: LabelCreate) -> Label:
    authorize(LABEL_ACCESS.create, user, "create")
    values = data.model_dump()
    values["tenant"] = tenant_of(user)  # the row belongs to the creator's tenant
    await rules.before_create_label(session, user, values)
    await _check_label_unique(session, values, exclude_id=None)
    label = Label(**values)
    session.add(label)
    await _flush(session)
    return label


async def update_label(
    session: AsyncSession, user: User | None, label: Label, data: LabelUpdate
) -> Label:
    authorize_row(LABEL_ACCESS.update, user, "update", None)
    changes = data.model_dump(exclude_unset=True)
    await rules.before_update_label(session, user, label, changes)
    current = {name: getattr(label, name) for name in ("tenant", "name")}
    await _check_label_unique(session, {**current, **changes}, exclude_id=label.id)
    for name, value in changes.items():
        setattr(label, name, value)
    await _flush(session)
    return label


async def delete_label(session: AsyncSession, user: User | None, label: Label) -> None:
    authorize_row(LABEL_ACCESS.delete, user, "delete", None)
    await rules.before_delete_label(session, user, label)
    await session.delete(label)
    await _flush(session)
