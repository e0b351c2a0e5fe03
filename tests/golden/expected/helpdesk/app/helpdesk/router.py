"""HTTP endpoints of the Help desk feature."""

from typing import Annotated, Any

from fastapi import APIRouter, Header, Path, Query, Request, Response, status

from app.auth.dependencies import OptionalUser, SessionDep
from app.core.concurrency import IF_MATCH_DESCRIPTION, etag, with_etag
from app.core.errors import problem_responses
from app.core.schemas import MAX_ID
from app.helpdesk import service
from app.helpdesk.dependencies import (
    ValidCannedReply,
    ValidComment,
    ValidLabel,
    ValidTicket,
)
from app.helpdesk.models import (
    CannedReply,
    Comment,
    Label,
)
from app.helpdesk.schemas import (
    CannedReplyCreate,
    CannedReplyListQuery,
    CannedReplyPage,
    CannedReplyRead,
    CannedReplyUpdate,
    CommentCreate,
    CommentListQuery,
    CommentPage,
    CommentRead,
    CommentUpdate,
    LabelCreate,
    LabelListQuery,
    LabelPage,
    LabelRead,
    LabelUpdate,
    TicketCreate,
    TicketListQuery,
    TicketPage,
    TicketRead,
    TicketUpdate,
)

router = APIRouter()

IfMatch = Annotated[str | None, Header(description=IF_MATCH_DESCRIPTION)]


@router.get(
    "/tickets",
    tags=["tickets"],
    response_model=TicketPage,
    response_model_exclude_unset=True,
    responses=problem_responses(401, 403, 422),
)
async def list_tickets(
    query: Annotated[TicketListQuery, Query()], session: SessionDep, user: OptionalUser
) -> dict[str, Any]:
    """List the tickets you may read, one page at a time."""
    rows, next_cursor = await service.list_tickets(session, user, query)
    return {"items": [service.show_ticket(user, row) for row in rows], "next_cursor": next_cursor}


@router.post(
    "/tickets",
    tags=["tickets"],
    status_code=status.HTTP_201_CREATED,
    response_model=TicketRead,
    response_model_exclude_unset=True,
    responses=with_etag(problem_responses(201, 400, 401, 403, 409, 422), 201),
)
async def create_ticket(
    data: TicketCreate,
    session: SessionDep,
    user: OptionalUser,
    request: Request,
    response: Response,
) -> dict[str, Any]:
    """Create a ticket; its URL is in the Location header."""
    ticket = await service.create_ticket(session, user, data)
    response.headers["Location"] = str(request.url_for("get_ticket", ticket_id=ticket.id))
    response.headers["ETag"] = etag(ticket.version)
    return service.show_ticket(user, ticket)


@router.get(
    "/tickets/{ticket_id}",
    tags=["tickets"],
    response_model=TicketRead,
    response_model_exclude_unset=True,
    responses=with_etag(problem_responses(401, 403, 404, 422), 200),
)
async def get_ticket(ticket: ValidTicket, user: OptionalUser, response: Response) -> dict[str, Any]:
    """Read one ticket; its ETag is the version to send in If-Match."""
    response.headers["ETag"] = etag(ticket.version)
    return service.show_ticket(user, ticket)


@router.patch(
    "/tickets/{ticket_id}",
    tags=["tickets"],
    response_model=TicketRead,
    response_model_exclude_unset=True,
    responses=with_etag(problem_responses(400, 401, 403, 404, 409, 412, 422, 428), 200),
)
async def update_ticket(
    ticket: ValidTicket,
    data: TicketUpdate,
    session: SessionDep,
    user: OptionalUser,
    response: Response,
    if_match: IfMatch = None,
) -> dict[str, Any]:
    """Change the fields you send, if the row is still at the version you read (If-Match)."""
    updated = await service.update_ticket(session, user, ticket, data, if_match)
    response.headers["ETag"] = etag(updated.version)
    return service.show_ticket(user, updated)


@router.delete(
    "/tickets/{ticket_id}",
    tags=["tickets"],
    status_code=status.HTTP_204_NO_CONTENT,
    response_class=Response,
    responses=problem_responses(401, 403, 404, 409, 412, 422, 428),
)
async def delete_ticket(
    ticket: ValidTicket, session: SessionDep, user: OptionalUser, if_match: IfMatch = None
) -> None:
    """Delete a ticket, if it is still at the version you read (If-Match)."""
    await service.delete_ticket(session, user, ticket, if_match)


@router.post(
    "/tickets/{ticket_id}/resolve",
    tags=["tickets"],
    response_model=TicketRead,
    response_model_exclude_unset=True,
    responses=with_etag(problem_responses(401, 403, 404, 409, 412, 422), 200),
)
async def resolve_ticket(
    ticket: ValidTicket,
    session: SessionDep,
    user: OptionalUser,
    response: Response,
) -> dict[str, Any]:
    """Resolve: sets status='resolved'."""
    changed = await service.resolve_ticket(session, user, ticket)
    response.headers["ETag"] = etag(changed.version)
    return service.show_ticket(user, changed)


@router.post(
    "/tickets/{ticket_id}/close",
    tags=["tickets"],
    response_model=TicketRead,
    response_model_exclude_unset=True,
    responses=with_etag(problem_responses(401, 403, 404, 409, 412, 422), 200),
)
async def close_ticket(
    ticket: ValidTicket,
    session: SessionDep,
    user: OptionalUser,
    response: Response,
) -> dict[str, Any]:
    """Close the ticket and record when."""
    changed = await service.close_ticket(session, user, ticket)
    response.headers["ETag"] = etag(changed.version)
    return service.show_ticket(user, changed)


@router.post(
    "/tickets/{ticket_id}/reset_votes",
    tags=["tickets"],
    response_model=TicketRead,
    response_model_exclude_unset=True,
    responses=with_etag(problem_responses(401, 403, 404, 409, 412, 422), 200),
)
async def reset_votes_ticket(
    ticket: ValidTicket,
    session: SessionDep,
    user: OptionalUser,
    response: Response,
) -> dict[str, Any]:
    """Reset_votes: sets votes=0."""
    changed = await service.reset_votes_ticket(session, user, ticket)
    response.headers["ETag"] = etag(changed.version)
    return service.show_ticket(user, changed)


@router.get(
    "/canned-replies",
    tags=["canned-replies"],
    response_model=CannedReplyPage,
    responses=problem_responses(401, 403, 422),
)
async def list_canned_replies(
    query: Annotated[CannedReplyListQuery, Query()], session: SessionDep, user: OptionalUser
) -> dict[str, Any]:
    """List the canned replies you may read, one page at a time."""
    rows, next_cursor = await service.list_canned_replies(session, user, query)
    return {"items": rows, "next_cursor": next_cursor}


@router.get(
    "/tickets/{ticket_id}/replies",
    tags=["canned-replies"],
    response_model=CannedReplyPage,
    responses=problem_responses(401, 403, 404, 422),
)
async def list_replies_of_ticket(
    ticket: ValidTicket,
    query: Annotated[CannedReplyListQuery, Query()],
    session: SessionDep,
    user: OptionalUser,
) -> dict[str, Any]:
    """List the canned replies of a ticket that you may read, one page at a time."""
    rows, next_cursor = await service.list_canned_replies(session, user, query, ticket_id=ticket.id)
    return {"items": rows, "next_cursor": next_cursor}


@router.post(
    "/canned-replies",
    tags=["canned-replies"],
    status_code=status.HTTP_201_CREATED,
    response_model=CannedReplyRead,
    responses=with_etag(problem_responses(201, 400, 401, 403, 409, 422), 201),
)
async def create_canned_reply(
    data: CannedReplyCreate,
    session: SessionDep,
    user: OptionalUser,
    request: Request,
    response: Response,
) -> CannedReply:
    """Create a canned reply; its URL is in the Location header."""
    canned_reply = await service.create_canned_reply(session, user, data)
    response.headers["Location"] = str(
        request.url_for("get_canned_reply", canned_reply_id=canned_reply.id)
    )
    response.headers["ETag"] = etag(canned_reply.version)
    return canned_reply


@router.get(
    "/canned-replies/{canned_reply_id}",
    tags=["canned-replies"],
    response_model=CannedReplyRead,
    responses=with_etag(problem_responses(401, 403, 404, 422), 200),
)
async def get_canned_reply(canned_reply: ValidCannedReply, response: Response) -> CannedReply:
    """Read one canned reply; its ETag is the version to send in If-Match."""
    response.headers["ETag"] = etag(canned_reply.version)
    return canned_reply


@router.patch(
    "/canned-replies/{canned_reply_id}",
    tags=["canned-replies"],
    response_model=CannedReplyRead,
    responses=with_etag(problem_responses(400, 401, 403, 404, 409, 412, 422, 428), 200),
)
async def update_canned_reply(
    canned_reply: ValidCannedReply,
    data: CannedReplyUpdate,
    session: SessionDep,
    user: OptionalUser,
    response: Response,
    if_match: IfMatch = None,
) -> CannedReply:
    """Change the fields you send, if the row is still at the version you read (If-Match)."""
    updated = await service.update_canned_reply(session, user, canned_reply, data, if_match)
    response.headers["ETag"] = etag(updated.version)
    return updated


@router.delete(
    "/canned-replies/{canned_reply_id}",
    tags=["canned-replies"],
    status_code=status.HTTP_204_NO_CONTENT,
    response_class=Response,
    responses=problem_responses(401, 403, 404, 409, 412, 422, 428),
)
async def delete_canned_reply(
    canned_reply: ValidCannedReply,
    session: SessionDep,
    user: OptionalUser,
    if_match: IfMatch = None,
) -> None:
    """Delete a canned reply, if it is still at the version you read (If-Match)."""
    await service.delete_canned_reply(session, user, canned_reply, if_match)


@router.post(
    "/canned-replies/{canned_reply_id}/restore",
    tags=["canned-replies"],
    response_model=CannedReplyRead,
    responses=with_etag(problem_responses(401, 403, 404, 409, 422), 200),
)
async def restore_canned_reply(
    canned_reply_id: Annotated[int, Path(ge=1, le=MAX_ID)],
    session: SessionDep,
    user: OptionalUser,
    response: Response,
) -> CannedReply:
    """Bring back a deleted canned reply; 409 if a live one now has its unique values."""
    canned_reply = await service.restore_canned_reply(session, user, canned_reply_id)
    response.headers["ETag"] = etag(canned_reply.version)
    return canned_reply


@router.get(
    "/comments",
    tags=["comments"],
    response_model=CommentPage,
    responses=problem_responses(401, 403, 422),
)
async def list_comments(
    query: Annotated[CommentListQuery, Query()], session: SessionDep, user: OptionalUser
) -> dict[str, Any]:
    """List the comments you may read, one page at a time."""
    rows, next_cursor = await service.list_comments(session, user, query)
    return {"items": rows, "next_cursor": next_cursor}


@router.get(
    "/tickets/{ticket_id}/comments",
    tags=["comments"],
    response_model=CommentPage,
    responses=problem_responses(401, 403, 404, 422),
)
async def list_comments_of_ticket(
    ticket: ValidTicket,
    query: Annotated[CommentListQuery, Query()],
    session: SessionDep,
    user: OptionalUser,
) -> dict[str, Any]:
    """List the comments of a ticket that you may read, one page at a time."""
    rows, next_cursor = await service.list_comments(session, user, query, ticket_id=ticket.id)
    return {"items": rows, "next_cursor": next_cursor}


@router.get(
    "/comments/{comment_id}/replies",
    tags=["comments"],
    response_model=CommentPage,
    responses=problem_responses(401, 403, 404, 422),
)
async def list_replies_of_comment(
    comment: ValidComment,
    query: Annotated[CommentListQuery, Query()],
    session: SessionDep,
    user: OptionalUser,
) -> dict[str, Any]:
    """List the comments of a comment that you may read, one page at a time."""
    rows, next_cursor = await service.list_comments(session, user, query, reply_to_id=comment.id)
    return {"items": rows, "next_cursor": next_cursor}


@router.post(
    "/comments",
    tags=["comments"],
    status_code=status.HTTP_201_CREATED,
    response_model=CommentRead,
    responses=problem_responses(201, 400, 401, 403, 409, 422),
)
async def create_comment(
    data: CommentCreate,
    session: SessionDep,
    user: OptionalUser,
    request: Request,
    response: Response,
) -> Comment:
    """Create a comment; its URL is in the Location header."""
    comment = await service.create_comment(session, user, data)
    response.headers["Location"] = str(request.url_for("get_comment", comment_id=comment.id))
    return comment


@router.get(
    "/comments/{comment_id}",
    tags=["comments"],
    response_model=CommentRead,
    responses=problem_responses(401, 403, 404, 422),
)
async def get_comment(comment: ValidComment) -> Comment:
    """Read one comment."""
    return comment


@router.patch(
    "/comments/{comment_id}",
    tags=["comments"],
    response_model=CommentRead,
    responses=problem_responses(400, 401, 403, 404, 409, 422),
)
async def update_comment(
    comment: ValidComment, data: CommentUpdate, session: SessionDep, user: OptionalUser
) -> Comment:
    """Change the fields you send; the others keep their values."""
    return await service.update_comment(session, user, comment, data)


@router.delete(
    "/comments/{comment_id}",
    tags=["comments"],
    status_code=status.HTTP_204_NO_CONTENT,
    response_class=Response,
    responses=problem_responses(401, 403, 404, 409, 422),
)
async def delete_comment(comment: ValidComment, session: SessionDep, user: OptionalUser) -> None:
    """Delete a comment."""
    await service.delete_comment(session, user, comment)


@router.get(
    "/labels",
    tags=["labels"],
    response_model=LabelPage,
    responses=problem_responses(401, 403, 422),
)
async def list_labels(
    query: Annotated[LabelListQuery, Query()], session: SessionDep, user: OptionalUser
) -> dict[str, Any]:
    """List the labels you may read, one page at a time."""
    rows, next_cursor = await service.list_labels(session, user, query)
    return {"items": rows, "next_cursor": next_cursor}


@router.post(
    "/labels",
    tags=["labels"],
    status_code=status.HTTP_201_CREATED,
    response_model=LabelRead,
    responses=problem_responses(201, 400, 401, 403, 409, 422),
)
async def create_label(
    data: LabelCreate,
    session: SessionDep,
    user: OptionalUser,
    request: Request,
    response: Response,
) -> Label:
    """Create a label; its URL is in the Location header."""
    label = await service.create_label(session, user, data)
    response.headers["Location"] = str(request.url_for("get_label", label_id=label.id))
    return label


@router.get(
    "/labels/{label_id}",
    tags=["labels"],
    response_model=LabelRead,
    responses=problem_responses(401, 403, 404, 422),
)
async def get_label(label: ValidLabel) -> Label:
    """Read one label."""
    return label


@router.patch(
    "/labels/{label_id}",
    tags=["labels"],
    response_model=LabelRead,
    responses=problem_responses(400, 401, 403, 404, 409, 422),
)
async def update_label(
    label: ValidLabel, data: LabelUpdate, session: SessionDep, user: OptionalUser
) -> Label:
    """Change the fields you send; the others keep their values."""
    return await service.update_label(session, user, label, data)


@router.delete(
    "/labels/{label_id}",
    tags=["labels"],
    status_code=status.HTTP_204_NO_CONTENT,
    response_class=Response,
    responses=problem_responses(401, 403, 404, 409, 422),
)
async def delete_label(label: ValidLabel, session: SessionDep, user: OptionalUser) -> None:
    """Delete a label."""
    await service.delete_label(session, user, label)
