"""Database models of the Help desk feature."""

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import (
    Column,
    Date,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Table,
    Text,
    UniqueConstraint,
    literal,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, query_expression, relationship

from app.core.db import Base, IdMixin, TimestampMixin, UTCDateTime

# Ticket.label: the labels each ticket links to.
# Deleting a row on either side deletes its links, and only them.
ticket_labels = Table(
    "ticket_labels",
    Base.metadata,
    Column(
        "ticket_id",
        Integer(),
        ForeignKey("tickets.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    # The primary key leads with ticket_id; finding a label's links needs this index.
    Column(
        "label_id",
        Integer(),
        ForeignKey("labels.id", ondelete="CASCADE"),
        primary_key=True,
        index=True,
    ),
)


class TicketStatus(StrEnum):
    OPEN = "open"
    IN_PROGRESS = "in_progress"
    RESOLVED = "resolved"
    CLOSED = "closed"


class Ticket(IdMixin, TimestampMixin, Base):
    __tablename__ = "tickets"
    __table_args__ = (
        Index(
            "ix_tickets_tenant_created_at_id",
            "tenant",
            "created_at",
            "id",
        ),
        Index(
            "ix_tickets_owner_id_tenant_created_at_id",
            "owner_id",
            "tenant",
            "created_at",
            "id",
        ),
        Index(
            "ix_tickets_tenant_priority_id",
            "tenant",
            "priority",
            "id",
        ),
        Index(
            "ix_tickets_owner_id_tenant_priority_id",
            "owner_id",
            "tenant",
            "priority",
            "id",
        ),
    )

    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    # The tenant of the user who created the row: only that tenant's users reach it.
    tenant: Mapped[str] = mapped_column(String(64), index=True)
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str | None] = mapped_column(Text())
    priority: Mapped[int] = mapped_column(Integer(), default=3)
    status: Mapped[str] = mapped_column(String(11), index=True, default="open")
    votes: Mapped[int] = mapped_column(Integer(), default=0)
    opened_on: Mapped[date] = mapped_column(Date())
    due_on: Mapped[date | None] = mapped_column(Date())
    estimate_hours: Mapped[Decimal | None] = mapped_column(Numeric(6, 1))
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    internal_note: Mapped[str | None] = mapped_column(
        Text(), comment="What agents tell each other about the ticket; customers never see it."
    )
    # Not a column: the service loads it with the row (count over CannedReply).
    reply_count: Mapped[int] = query_expression(default_expr=literal(0), expire_on_flush=False)
    # Never loaded by accident: the service asks for it (selectinload), one query a page.
    labels: Mapped[list["Label"]] = relationship(
        secondary=ticket_labels,
        lazy="raise",
        passive_deletes=True,  # deleting the row: ON DELETE CASCADE removes its links
    )
    # Optimistic concurrency: the service increments it on every write, and SQLAlchemy
    # makes each UPDATE and DELETE conditional on the version it loaded.
    version: Mapped[int] = mapped_column(Integer(), default=1)

    __mapper_args__ = {  # noqa: RUF012 - SQLAlchemy's declarative API reads a class dict
        "version_id_col": version,
        "version_id_generator": False,
    }

    @property
    def label_ids(self) -> list[int]:
        """The ids of the linked labels, in ascending order."""
        return sorted(row.id for row in self.labels)


class CannedReply(IdMixin, TimestampMixin, Base):
    __tablename__ = "canned_replies"
    __table_args__ = (
        # Unique among rows not soft-deleted: a deleted row frees its values.
        Index(
            "uq_canned_replies_tenant_name",
            "tenant",
            "name",
            unique=True,
            sqlite_where=text("deleted_at IS NULL"),
            postgresql_where=text("deleted_at IS NULL"),
        ),
    )

    # The tenant of the user who created the row: only that tenant's users reach it.
    tenant: Mapped[str] = mapped_column(String(64), index=True)
    name: Mapped[str] = mapped_column(String(80))
    text: Mapped[str] = mapped_column(Text())
    ticket_id: Mapped[int | None] = mapped_column(
        ForeignKey("tickets.id", ondelete="SET NULL"), index=True
    )
    # The ticket its responses summarise: view-only (writes set ticket_id),
    # never loaded by accident; the service loads it, None when the caller may not read it.
    ticket: Mapped["Ticket | None"] = relationship(
        foreign_keys="CannedReply.ticket_id",
        lazy="raise",
        viewonly=True,
    )
    # Set by DELETE, cleared by restore; reads and lists only see rows where it is null.
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    # Optimistic concurrency: the service increments it on every write, and SQLAlchemy
    # makes each UPDATE and DELETE conditional on the version it loaded.
    version: Mapped[int] = mapped_column(Integer(), default=1)

    __mapper_args__ = {  # noqa: RUF012 - SQLAlchemy's declarative API reads a class dict
        "version_id_col": version,
        "version_id_generator": False,
    }


class Comment(IdMixin, TimestampMixin, Base):
    __tablename__ = "comments"

    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    # The tenant of the user who created the row: only that tenant's users reach it.
    tenant: Mapped[str] = mapped_column(String(64), index=True)
    body: Mapped[str] = mapped_column(Text())
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"), index=True)
    reply_to_id: Mapped[int | None] = mapped_column(
        ForeignKey("comments.id", ondelete="CASCADE"), index=True
    )
    # Not a column: the service loads it with the row (count over Comment).
    reply_count: Mapped[int] = query_expression(default_expr=literal(0), expire_on_flush=False)
    # The ticket its responses summarise: view-only (writes set ticket_id),
    # never loaded by accident; the service loads it, None when the caller may not read it.
    ticket: Mapped["Ticket | None"] = relationship(
        foreign_keys="Comment.ticket_id",
        lazy="raise",
        viewonly=True,
    )
    # The reply to its responses summarise: view-only (writes set reply_to_id),
    # never loaded by accident; the service loads it, None when the caller may not read it.
    reply_to: Mapped["Comment | None"] = relationship(
        foreign_keys="Comment.reply_to_id",
        remote_side="Comment.id",
        lazy="raise",
        viewonly=True,
    )


class Label(IdMixin, TimestampMixin, Base):
    __tablename__ = "labels"
    __table_args__ = (
        UniqueConstraint(
            "tenant",
            "name",
        ),
    )

    # The tenant of the user who created the row: only that tenant's users reach it.
    tenant: Mapped[str] = mapped_column(String(64), index=True)
    name: Mapped[str] = mapped_column(String(40))
