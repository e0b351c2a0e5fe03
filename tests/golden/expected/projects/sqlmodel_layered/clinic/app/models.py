import enum
import uuid
from datetime import UTC, date, datetime, time
from decimal import Decimal

from pydantic import EmailStr, field_validator
from sqlalchemy import Column, Enum, Index, UniqueConstraint
from sqlmodel import Field, Relationship, SQLModel


def utcnow() -> datetime:
    return datetime.now(UTC)


# Shared properties
class UserBase(SQLModel):
    email: EmailStr = Field(unique=True, index=True, max_length=255)
    is_active: bool = True
    is_superuser: bool = False
    full_name: str | None = Field(default=None, max_length=255)


# Properties to receive via API on creation (by a superuser)
class UserCreate(UserBase):
    password: str = Field(min_length=8, max_length=128)


# Properties to receive on public sign-up
class UserRegister(SQLModel):
    email: EmailStr = Field(max_length=255)
    password: str = Field(min_length=8, max_length=128)
    full_name: str | None = Field(default=None, max_length=255)


# Database model, database table inferred from class name
class User(UserBase, table=True):
    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    hashed_password: str
    created_at: datetime = Field(default_factory=utcnow)
    items: list["Item"] = Relationship(back_populates="owner", cascade_delete=True)


# Properties to return via API, id is always required
class UserPublic(UserBase):
    id: uuid.UUID


class UsersPublic(SQLModel):
    data: list[UserPublic]
    count: int


class ItemBase(SQLModel):
    title: str = Field(min_length=1, max_length=255)
    description: str | None = Field(default=None, max_length=255)


class ItemCreate(ItemBase):
    pass


class ItemUpdate(SQLModel):
    title: str | None = Field(default=None, min_length=1, max_length=255)
    description: str | None = Field(default=None, max_length=255)


class Item(ItemBase, table=True):
    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    created_at: datetime = Field(default_factory=utcnow)
    owner_id: uuid.UUID = Field(
        foreign_key="user.id", nullable=False, ondelete="CASCADE"
    )
    owner: User | None = Relationship(back_populates="items")


class ItemPublic(ItemBase):
    id: uuid.UUID
    owner_id: uuid.UUID
    created_at: datetime


class ItemsPublic(SQLModel):
    data: list[ItemPublic]
    count: int


# Generic message
class Message(SQLModel):
    message: str


# JSON payload containing access token
class Token(SQLModel):
    access_token: str
    token_type: str = "bearer"


# Contents of JWT token
class TokenPayload(SQLModel):
    sub: str | None = None


def iso_8601(value: object) -> object:
    """Dates and times only as ISO 8601 text: pydantic would also read a number (`0`,
    `"0.5"`) as seconds since 1970."""
    if isinstance(value, int | float) or (isinstance(value, str) and _is_number(value)):
        raise ValueError(
            "expected ISO 8601 text, such as 2030-01-31 or 2030-01-31T09:00:00Z"
        )
    return value


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def in_utc(value: datetime | None) -> datetime | None:
    """A datetime in UTC: moved there from another offset, or taken as UTC without one.
    SQLite keeps no offset, so a value stored in UTC reads back as UTC."""
    if value is None:
        return None
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    try:
        return value.astimezone(UTC)
    except OverflowError:  # the first or last day of the calendar, moved past its end
        raise ValueError("datetime is out of range once converted to UTC") from None


def json_number(value: object) -> object:
    """A number only as a JSON number: pydantic would also read `true` (Python's bool is
    an int, so `"parent_id": true` would name row 1) and numeric text."""
    if isinstance(value, bool | str):
        raise ValueError("Input should be a JSON number")
    return value


def json_bool(value: object) -> object:
    """A boolean only as `true` or `false`: pydantic would also read 0, 1, "yes" ..."""
    if value is not None and not isinstance(value, bool):
        raise ValueError("Input should be a JSON boolean")
    return value


class DoctorSpecialty(enum.StrEnum):
    GENERAL = "general"
    CARDIOLOGY = "cardiology"
    DERMATOLOGY = "dermatology"


class DoctorBase(SQLModel):
    name: str = Field(
        min_length=1, max_length=100, schema_extra={"pattern": "^[^\\x00]*$"}
    )
    specialty: DoctorSpecialty = Field(
        default=DoctorSpecialty.GENERAL,
        sa_column=Column(
            Enum(
                DoctorSpecialty,
                native_enum=False,
                length=11,
                values_callable=lambda kinds: [kind.value for kind in kinds],
            ),
            index=True,
            nullable=False,
        ),
    )
    license_no: str = Field(
        schema_extra={"pattern": "^[A-Z]{2}-[0-9]{6}$"}, unique=True
    )
    fee: Decimal = Field(max_digits=8, decimal_places=2, ge=0.0)
    bio: str | None = Field(default=None, schema_extra={"pattern": "^[^\\x00]*$"})
    email: str | None = Field(
        default=None,
        max_length=320,
        schema_extra={"pattern": "^[^@\\s\\x00]+@[^@\\s\\x00]+\\.[^@\\s\\x00]+$"},
        unique=True,
    )
    website: str | None = Field(
        default=None,
        max_length=2048,
        schema_extra={"pattern": "^https?://[^\\s\\x00]+$"},
    )
    opens_at: time = Field(default=time.fromisoformat("08:00:00"))
    accepts_new_patients: bool = Field(default=True, index=True)

    @field_validator("opens_at", mode="before")
    @classmethod
    def _iso_8601(cls, value: object) -> object:
        return iso_8601(value)

    @field_validator("accepts_new_patients", mode="before")
    @classmethod
    def _json_bool(cls, value: object) -> object:
        return json_bool(value)


class DoctorCreate(DoctorBase):
    pass


class DoctorUpdate(SQLModel):
    name: str | None = Field(
        default=None,
        min_length=1,
        max_length=100,
        schema_extra={"pattern": "^[^\\x00]*$"},
    )
    specialty: DoctorSpecialty | None = Field(
        default=None,
    )
    license_no: str | None = Field(
        default=None, schema_extra={"pattern": "^[A-Z]{2}-[0-9]{6}$"}
    )
    fee: Decimal | None = Field(default=None, max_digits=8, decimal_places=2, ge=0.0)
    bio: str | None = Field(default=None, schema_extra={"pattern": "^[^\\x00]*$"})
    email: str | None = Field(
        default=None,
        max_length=320,
        schema_extra={"pattern": "^[^@\\s\\x00]+@[^@\\s\\x00]+\\.[^@\\s\\x00]+$"},
    )
    website: str | None = Field(
        default=None,
        max_length=2048,
        schema_extra={"pattern": "^https?://[^\\s\\x00]+$"},
    )
    opens_at: time | None = Field(
        default=None,
    )
    accepts_new_patients: bool | None = Field(
        default=None,
    )

    @field_validator(
        "name", "specialty", "license_no", "fee", "opens_at", "accepts_new_patients"
    )
    @classmethod
    def _not_null(cls, value: object) -> object:
        if value is None:
            raise ValueError("may be left out, but not set to null")
        return value

    @field_validator("opens_at", mode="before")
    @classmethod
    def _iso_8601(cls, value: object) -> object:
        return iso_8601(value)

    @field_validator("accepts_new_patients", mode="before")
    @classmethod
    def _json_bool(cls, value: object) -> object:
        return json_bool(value)


class Doctor(DoctorBase, table=True):
    __table_args__ = (
        Index("ix_doctor_name_id", "name", "id"),
        Index("ix_doctor_fee_id", "fee", "id"),
    )

    id: int | None = Field(default=None, primary_key=True)


class DoctorPublic(DoctorBase):
    id: int


class DoctorsPublic(SQLModel):
    data: list[DoctorPublic]
    count: int


class AppointmentStatus(enum.StrEnum):
    SCHEDULED = "scheduled"
    DONE = "done"
    CANCELLED = "cancelled"


class AppointmentBase(SQLModel):
    starts_at: datetime = Field()
    minutes: int = Field(default=30, ge=10, le=240)
    reason: str | None = Field(
        default=None, max_length=500, schema_extra={"pattern": "^[^\\x00]*$"}
    )
    status: AppointmentStatus = Field(
        default=AppointmentStatus.SCHEDULED,
        sa_column=Column(
            Enum(
                AppointmentStatus,
                native_enum=False,
                length=9,
                values_callable=lambda kinds: [kind.value for kind in kinds],
            ),
            index=True,
            nullable=False,
        ),
    )
    doctor_id: int = Field(
        ge=1, le=2147483647, foreign_key="doctor.id", ondelete="RESTRICT", index=True
    )

    @field_validator("starts_at", mode="before")
    @classmethod
    def _iso_8601(cls, value: object) -> object:
        return iso_8601(value)

    @field_validator("starts_at")
    @classmethod
    def _in_utc(cls, value: datetime | None) -> datetime | None:
        return in_utc(value)

    @field_validator("minutes", "doctor_id", mode="before")
    @classmethod
    def _json_number(cls, value: object) -> object:
        return json_number(value)


class AppointmentCreate(AppointmentBase):
    pass


class AppointmentUpdate(SQLModel):
    starts_at: datetime | None = Field(
        default=None,
    )
    minutes: int | None = Field(default=None, ge=10, le=240)
    reason: str | None = Field(
        default=None, max_length=500, schema_extra={"pattern": "^[^\\x00]*$"}
    )
    status: AppointmentStatus | None = Field(
        default=None,
    )
    doctor_id: int | None = Field(default=None, ge=1, le=2147483647)

    @field_validator("starts_at", "minutes", "status", "doctor_id")
    @classmethod
    def _not_null(cls, value: object) -> object:
        if value is None:
            raise ValueError("may be left out, but not set to null")
        return value

    @field_validator("starts_at", mode="before")
    @classmethod
    def _iso_8601(cls, value: object) -> object:
        return iso_8601(value)

    @field_validator("starts_at")
    @classmethod
    def _in_utc(cls, value: datetime | None) -> datetime | None:
        return in_utc(value)

    @field_validator("minutes", "doctor_id", mode="before")
    @classmethod
    def _json_number(cls, value: object) -> object:
        return json_number(value)


class Appointment(AppointmentBase, table=True):
    __table_args__ = (
        UniqueConstraint("doctor_id", "starts_at"),
        Index("ix_appointment_starts_at_id", "starts_at", "id"),
        Index("ix_appointment_owner_id_starts_at_id", "owner_id", "starts_at", "id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    owner_id: uuid.UUID = Field(foreign_key="user.id", ondelete="CASCADE", index=True)


class AppointmentPublic(AppointmentBase):
    id: int
    owner_id: uuid.UUID


class AppointmentsPublic(SQLModel):
    data: list[AppointmentPublic]
    count: int


class VisitNoteBase(SQLModel):
    summary: str = Field(
        min_length=1, max_length=2000, schema_extra={"pattern": "^[^\\x00]*$"}
    )
    visited_on: date = Field()
    follow_up_in_days: int | None = Field(default=None, ge=1, le=365)
    appointment_id: int = Field(
        ge=1,
        le=2147483647,
        foreign_key="appointment.id",
        ondelete="CASCADE",
        index=True,
    )

    @field_validator("visited_on", mode="before")
    @classmethod
    def _iso_8601(cls, value: object) -> object:
        return iso_8601(value)

    @field_validator("follow_up_in_days", "appointment_id", mode="before")
    @classmethod
    def _json_number(cls, value: object) -> object:
        return json_number(value)


class VisitNoteCreate(VisitNoteBase):
    pass


class VisitNoteUpdate(SQLModel):
    summary: str | None = Field(
        default=None,
        min_length=1,
        max_length=2000,
        schema_extra={"pattern": "^[^\\x00]*$"},
    )
    visited_on: date | None = Field(
        default=None,
    )
    follow_up_in_days: int | None = Field(default=None, ge=1, le=365)
    appointment_id: int | None = Field(default=None, ge=1, le=2147483647)

    @field_validator("summary", "visited_on", "appointment_id")
    @classmethod
    def _not_null(cls, value: object) -> object:
        if value is None:
            raise ValueError("may be left out, but not set to null")
        return value

    @field_validator("visited_on", mode="before")
    @classmethod
    def _iso_8601(cls, value: object) -> object:
        return iso_8601(value)

    @field_validator("follow_up_in_days", "appointment_id", mode="before")
    @classmethod
    def _json_number(cls, value: object) -> object:
        return json_number(value)


class VisitNote(VisitNoteBase, table=True):
    __table_args__ = (
        UniqueConstraint("appointment_id", "owner_id"),
        Index("ix_visitnote_visited_on_id", "visited_on", "id"),
        Index("ix_visitnote_owner_id_visited_on_id", "owner_id", "visited_on", "id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    owner_id: uuid.UUID = Field(foreign_key="user.id", ondelete="CASCADE", index=True)


class VisitNotePublic(VisitNoteBase):
    id: int
    owner_id: uuid.UUID


class VisitNotesPublic(SQLModel):
    data: list[VisitNotePublic]
    count: int


class ClinicUserRole(SQLModel, table=True):
    """One role a user holds in the clinic feature, as its access rules name
    them (`role:NAME`). Granted by adding a row, taken away by deleting it."""

    __tablename__ = "clinic_user_role"

    user_id: uuid.UUID = Field(
        foreign_key="user.id", ondelete="CASCADE", primary_key=True
    )
    role: str = Field(max_length=64, primary_key=True)
