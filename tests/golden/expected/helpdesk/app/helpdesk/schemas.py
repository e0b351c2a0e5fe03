"""Request and response bodies of the Help desk feature."""

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import Field

from app.core.pagination import Page
from app.core.schemas import (
    MAX_ID,
    NO_NUL,
    InputSchema,
    IsoDate,
    JsonInt,
    ReadSchema,
    omitted,
    scaled,
)
from app.helpdesk.models import (
    TicketStatus,
)

# The ids of a many_to_many's linked rows: valid ids, at most 100, none twice
# (a repeat is a 422 at its index).
LinkIds = Annotated[
    list[Annotated[JsonInt, Field(ge=1, le=MAX_ID)]],
    Field(max_length=100, json_schema_extra={"uniqueItems": True}),
]


class TicketCreate(InputSchema):
    title: Annotated[str, Field(min_length=1, max_length=200, pattern=NO_NUL)]
    body: Annotated[str, Field(pattern=NO_NUL)] | None = None
    priority: Annotated[JsonInt, Field(ge=1, le=5)] = 3
    status: TicketStatus = TicketStatus.OPEN
    votes: Annotated[JsonInt, Field(ge=0, le=2147483647)] = 0
    opened_on: IsoDate
    due_on: IsoDate | None = None
    estimate_hours: (
        Annotated[Decimal, Field(max_digits=6, decimal_places=1, allow_inf_nan=False)] | None
    ) = None
    internal_note: (
        Annotated[
            str,
            Field(
                pattern=NO_NUL,
                description="What agents tell each other about the ticket; customers never see it.",
            ),
        ]
        | None
    ) = None
    label_ids: LinkIds = Field(default_factory=list)


class TicketUpdate(InputSchema):
    """Every field is optional: PATCH changes only what it sends."""

    title: Annotated[str, Field(min_length=1, max_length=200, pattern=NO_NUL)] = Field(
        default_factory=omitted
    )
    body: Annotated[str, Field(pattern=NO_NUL)] | None = None
    priority: Annotated[JsonInt, Field(ge=1, le=5)] = Field(default_factory=omitted)
    status: TicketStatus = Field(default_factory=omitted)
    votes: Annotated[JsonInt, Field(ge=0, le=2147483647)] = Field(default_factory=omitted)
    opened_on: IsoDate = Field(default_factory=omitted)
    due_on: IsoDate | None = None
    estimate_hours: (
        Annotated[Decimal, Field(max_digits=6, decimal_places=1, allow_inf_nan=False)] | None
    ) = None
    internal_note: (
        Annotated[
            str,
            Field(
                pattern=NO_NUL,
                description="What agents tell each other about the ticket; customers never see it.",
            ),
        ]
        | None
    ) = None
    label_ids: LinkIds = Field(default_factory=omitted)


class TicketRead(ReadSchema):
    id: int
    owner_id: int
    title: str
    body: str | None
    priority: int
    status: TicketStatus
    votes: int
    opened_on: date
    due_on: date | None
    estimate_hours: Annotated[Decimal, scaled(1)] | None
    closed_at: datetime | None
    # Absent, not null, for callers its read rule does not name.
    internal_note: str | None = Field(
        default=None, description="Only for role:agent, role:admin; absent for other callers."
    )
    reply_count: int = Field(
        description="How many CannedReply rows pointing at it that you may list."
    )
    label_ids: list[int] = Field(description="Ids of the linked labels, ascending.")
    version: int = Field(description="Incremented by every change; the ETag is this, quoted.")
    created_at: datetime
    updated_at: datetime


TicketPage = Page[TicketRead]


class TicketListQuery(InputSchema):
    """Query parameters of GET /tickets: paging, order, filters, search."""

    limit: int = Field(default=20, ge=1, le=100)
    cursor: str | None = Field(default=None, max_length=1000)
    sort: Literal[
        "created_at",
        "-created_at",
        "priority",
        "-priority",
        "id",
        "-id",
    ] = "-created_at"
    q: str | None = Field(
        default=None,
        min_length=1,
        max_length=200,
        pattern=NO_NUL,
        description="Case-insensitive substring of title",
    )
    status: TicketStatus | None = None
    status__in: (
        Annotated[
            str,
            Field(
                pattern="^(open|in_progress|resolved|closed)(,(open|in_progress|resolved|closed))*$"
            ),
        ]
        | None
    ) = None
    priority: Annotated[int, Field(ge=-2147483648, le=2147483647)] | None = None
    priority__gte: Annotated[int, Field(ge=-2147483648, le=2147483647)] | None = None
    priority__lte: Annotated[int, Field(ge=-2147483648, le=2147483647)] | None = None


class CannedReplyTicketSummary(ReadSchema):
    """The Ticket a canned reply's `ticket` points at, as read responses embed it."""

    id: int
    title: str


class CannedReplyCreate(InputSchema):
    name: Annotated[str, Field(min_length=1, max_length=80, pattern=NO_NUL)]
    text: Annotated[str, Field(pattern=NO_NUL)]
    ticket_id: Annotated[JsonInt, Field(ge=1, le=2147483647)] | None = None


class CannedReplyUpdate(InputSchema):
    """Every field is optional: PATCH changes only what it sends."""

    name: Annotated[str, Field(min_length=1, max_length=80, pattern=NO_NUL)] = Field(
        default_factory=omitted
    )
    text: Annotated[str, Field(pattern=NO_NUL)] = Field(default_factory=omitted)
    ticket_id: Annotated[JsonInt, Field(ge=1, le=2147483647)] | None = None


class CannedReplyRead(ReadSchema):
    id: int
    name: str
    text: str
    ticket_id: int | None
    ticket: CannedReplyTicketSummary | None = Field(
        description=(
            "The Ticket that ticket_id names; null when there is none or you may not read it."
        )
    )
    version: int = Field(description="Incremented by every change; the ETag is this, quoted.")
    created_at: datetime
    updated_at: datetime


CannedReplyPage = Page[CannedReplyRead]


class CannedReplyListQuery(InputSchema):
    """Query parameters of GET /canned-replies: paging, order, filters."""

    limit: int = Field(default=20, ge=1, le=100)
    cursor: str | None = Field(default=None, max_length=1000)
    sort: Literal[
        "id",
        "-id",
    ] = "id"


class CommentTicketSummary(ReadSchema):
    """The Ticket a comment's `ticket` points at, as read responses embed it."""

    id: int
    title: str
    status: TicketStatus


class CommentReplyToSummary(ReadSchema):
    """The Comment a comment's `reply_to` points at, as read responses embed it."""

    id: int
    body: str


class CommentCreate(InputSchema):
    body: Annotated[str, Field(min_length=1, max_length=4000, pattern=NO_NUL)]
    ticket_id: Annotated[JsonInt, Field(ge=1, le=2147483647)]
    reply_to_id: Annotated[JsonInt, Field(ge=1, le=2147483647)] | None = None


class CommentUpdate(InputSchema):
    """Every field is optional: PATCH changes only what it sends."""

    body: Annotated[str, Field(min_length=1, max_length=4000, pattern=NO_NUL)] = Field(
        default_factory=omitted
    )
    ticket_id: Annotated[JsonInt, Field(ge=1, le=2147483647)] = Field(default_factory=omitted)
    reply_to_id: Annotated[JsonInt, Field(ge=1, le=2147483647)] | None = None


class CommentRead(ReadSchema):
    id: int
    owner_id: int
    body: str
    ticket_id: int
    reply_to_id: int | None
    ticket: CommentTicketSummary | None = Field(
        description=(
            "The Ticket that ticket_id names; null when there is none or you may not read it."
        )
    )
    reply_to: CommentReplyToSummary | None = Field(
        description=(
            "The Comment that reply_to_id names; null when there is none or you may not read it."
        )
    )
    reply_count: int = Field(description="How many Comment rows pointing at it that you may list.")
    created_at: datetime
    updated_at: datetime


CommentPage = Page[CommentRead]


class CommentListQuery(InputSchema):
    """Query parameters of GET /comments: paging, order, filters."""

    limit: int = Field(default=20, ge=1, le=100)
    cursor: str | None = Field(default=None, max_length=1000)
    sort: Literal[
        "id",
        "-id",
    ] = "id"
    ticket_id: Annotated[int, Field(ge=1, le=2147483647)] | None = None
    ticket__status: TicketStatus | None = None
    ticket__status__in: (
        Annotated[
            str,
            Field(
                pattern="^(open|in_progress|resolved|closed)(,(open|in_progress|resolved|closed))*$"
            ),
        ]
        | None
    ) = None
    ticket__priority: Annotated[int, Field(ge=-2147483648, le=2147483647)] | None = None
    ticket__priority__gte: Annotated[int, Field(ge=-2147483648, le=2147483647)] | None = None
    ticket__priority__lte: Annotated[int, Field(ge=-2147483648, le=2147483647)] | None = None


class LabelCreate(InputSchema):
    name: Annotated[str, Field(min_length=1, max_length=40, pattern=NO_NUL)]


class LabelUpdate(InputSchema):
    """Every field is optional: PATCH changes only what it sends."""

    name: Annotated[str, Field(min_length=1, max_length=40, pattern=NO_NUL)] = Field(
        default_factory=omitted
    )


class LabelRead(ReadSchema):
    id: int
    name: str
    created_at: datetime
    updated_at: datetime


LabelPage = Page[LabelRead]


class LabelListQuery(InputSchema):
    """Query parameters of GET /labels: paging, order, filters."""

    limit: int = Field(default=20, ge=1, le=100)
    cursor: str | None = Field(default=None, max_length=1000)
    sort: Literal[
        "id",
        "-id",
    ] = "id"
