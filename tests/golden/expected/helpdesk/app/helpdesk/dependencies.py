"""Validating dependencies: load a row the caller may read, or answer 404."""

from typing import Annotated

from fastapi import Depends, Path

from app.auth.dependencies import OptionalUser, SessionDep
from app.core.schemas import MAX_ID
from app.helpdesk import service
from app.helpdesk.models import (
    CannedReply,
    Comment,
    Label,
    Ticket,
)


async def valid_ticket(
    ticket_id: Annotated[int, Path(ge=1, le=MAX_ID)], session: SessionDep, user: OptionalUser
) -> Ticket:
    return await service.get_ticket(session, user, ticket_id)


ValidTicket = Annotated[Ticket, Depends(valid_ticket)]


async def valid_canned_reply(
    canned_reply_id: Annotated[int, Path(ge=1, le=MAX_ID)], session: SessionDep, user: OptionalUser
) -> CannedReply:
    return await service.get_canned_reply(session, user, canned_reply_id)


ValidCannedReply = Annotated[CannedReply, Depends(valid_canned_reply)]


async def valid_comment(
    comment_id: Annotated[int, Path(ge=1, le=MAX_ID)], session: SessionDep, user: OptionalUser
) -> Comment:
    return await service.get_comment(session, user, comment_id)


ValidComment = Annotated[Comment, Depends(valid_comment)]


async def valid_label(
    label_id: Annotated[int, Path(ge=1, le=MAX_ID)], session: SessionDep, user: OptionalUser
) -> Label:
    return await service.get_label(session, user, label_id)


ValidLabel = Annotated[Label, Depends(valid_label)]
