"""Engine, sessions, the declarative Base and the column types every model shares."""

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import DateTime, MetaData, event
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator
from starlette.requests import Request

# Stable constraint names, so that migrations can drop and alter what they created.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """A timestamp that is always timezone-aware UTC in Python, on every database.

    SQLite keeps no offset, so naive values read back are UTC by construction; a naive
    value written by a client is taken as UTC.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    @property
    def python_type(self) -> type[datetime]:
        return datetime  # keyset cursors decode their values by the column's Python type

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class IdMixin:
    id: Mapped[int] = mapped_column(primary_key=True, sort_order=-100)


class TimestampMixin:
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, sort_order=100)
    updated_at: Mapped[datetime] = mapped_column(
        UTCDateTime, default=utcnow, onupdate=utcnow, sort_order=101
    )


def create_engine(url: str, *, echo: bool = False) -> AsyncEngine:
    if url.startswith("sqlite"):
        engine = create_async_engine(url, echo=echo)
        event.listen(engine.sync_engine, "connect", _sqlite_on_connect)
        return engine
    # A pool large enough for a worker's concurrent requests, so connections are reused
    # rather than opened and closed under load; recycled before servers time them out
    # (cheaper than a pre-ping round trip on every checkout).
    return create_async_engine(
        url, echo=echo, pool_size=20, max_overflow=10, pool_recycle=1800, pool_timeout=10
    )


def _sqlite_on_connect(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    # SQLite ignores foreign keys (and so ON DELETE) unless asked, per connection.
    cursor.execute("PRAGMA foreign_keys=ON")
    # A write-ahead log: readers never wait for a writer, and a commit is not flushed to
    # disk on its own (only at checkpoints), which a crash of the app cannot undo; only
    # losing power can cost the last commits. (Rails makes the same choice for SQLite.)
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def create_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    # Objects stay readable after commit: responses are serialised after the session ends.
    return async_sessionmaker(engine, expire_on_commit=False, autoflush=False)


def create_read_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """Sessions for requests that only read: their statements run in autocommit.

    A read needs no transaction of its own, and skipping BEGIN and COMMIT halves the
    database round trips of a GET. The engine shares the main engine's pool.
    """
    return create_sessionmaker(engine.execution_options(isolation_level="AUTOCOMMIT"))


# HTTP's safe methods never change state; they get the autocommit sessions. A route
# that writes must be a POST, PUT, PATCH or DELETE to get a transaction.
READ_ONLY_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


async def get_session(request: Request) -> AsyncIterator[AsyncSession]:
    """One session per request: it commits once if the route succeeds, else rolls back."""
    state = request.app.state
    sessionmaker: async_sessionmaker[AsyncSession] = (
        state.read_sessionmaker if request.method in READ_ONLY_METHODS else state.sessionmaker
    )
    async with sessionmaker() as session:
        try:
            yield session
            await session.commit()
        except BaseException:
            await session.rollback()
            raise
