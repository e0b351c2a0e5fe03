"""Business rules of the Help desk feature that the spec does not declare.

The service calls these hooks before it writes. Refuse a change by raising a domain
error from `app.core.errors` (InvalidInput for a 422 on a field, Conflict for a 409,
Forbidden for a 403); adjust `values` or `changes` in place to derive fields.
backsmith writes this module once and afterwards only adds the hooks of new entities:
the code in it is yours.
"""

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.auth.models import User
from app.helpdesk.models import (
    CannedReply,
    Comment,
    Label,
    Ticket,
)


async def before_create_ticket(
    session: AsyncSession, user: User | None, values: dict[str, Any]
) -> None:
    """Called with the validated fields of a new ticket."""


async def before_update_ticket(
    session: AsyncSession, user: User | None, ticket: Ticket, changes: dict[str, Any]
) -> None:
    """Called with the fields a PATCH changes, before they are applied."""


async def before_delete_ticket(session: AsyncSession, user: User | None, ticket: Ticket) -> None:
    """Called before the ticket is deleted."""


async def before_create_canned_reply(
    session: AsyncSession, user: User | None, values: dict[str, Any]
) -> None:
    """Called with the validated fields of a new canned reply."""


async def before_update_canned_reply(
    session: AsyncSession, user: User | None, canned_reply: CannedReply, changes: dict[str, Any]
) -> None:
    """Called with the fields a PATCH changes, before they are applied."""


async def before_delete_canned_reply(
    session: AsyncSession, user: User | None, canned_reply: CannedReply
) -> None:
    """Called before the canned reply is deleted."""


async def before_create_comment(
    session: AsyncSession, user: User | None, values: dict[str, Any]
) -> None:
    """Called with the validated fields of a new comment."""


async def before_update_comment(
    session: AsyncSession, user: User | None, comment: Comment, changes: dict[str, Any]
) -> None:
    """Called with the fields a PATCH changes, before they are applied."""


async def before_delete_comment(session: AsyncSession, user: User | None, comment: Comment) -> None:
    """Called before the comment is deleted."""


async def before_create_label(
    session: AsyncSession, user: User | None, values: dict[str, Any]
) -> None:
    """Called with the validated fields of a new label."""


async def before_update_label(
    session: AsyncSession, user: User | None, label: Label, changes: dict[str, Any]
) -> None:
    """Called with the fields a PATCH changes, before they are applied."""


async def before_delete_label(session: AsyncSession, user: User | None, label: Label) -> None:
    """Called before the label is deleted."""
