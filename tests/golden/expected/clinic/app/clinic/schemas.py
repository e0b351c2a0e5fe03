"""Request and response bodies of the Clinic appointments feature."""

from datetime import date, datetime, time
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import EmailStr, Field, StrictBool

from app.clinic.models import (
    AppointmentStatus,
    DoctorSpecialty,
)
from app.core.pagination import Page
from app.core.schemas import (
    NO_NUL,
    HttpUrlStr,
    InputSchema,
    IsoDate,
    JsonInt,
    NulFreeStr,
    ReadSchema,
    UTCDatetime,
    WallTime,
    omitted,
    scaled,
)


class DoctorCreate(InputSchema):
    name: Annotated[str, Field(min_length=1, max_length=100, pattern=NO_NUL)]
    specialty: DoctorSpecialty = DoctorSpecialty.GENERAL
    license_no: Annotated[NulFreeStr, Field(pattern="^[A-Z]{2}-[0-9]{6}$")]
    fee: Annotated[
        Decimal, Field(max_digits=8, decimal_places=2, ge=Decimal("0"), allow_inf_nan=False)
    ]
    bio: Annotated[str, Field(pattern=NO_NUL)] | None = None
    email: EmailStr | None = None
    website: HttpUrlStr | None = None
    opens_at: Annotated[WallTime, Field(description="When the doctor's day starts")] = (
        time.fromisoformat("08:00:00")
    )
    accepts_new_patients: StrictBool = True


class DoctorUpdate(InputSchema):
    """Every field is optional: PATCH changes only what it sends."""

    name: Annotated[str, Field(min_length=1, max_length=100, pattern=NO_NUL)] = Field(
        default_factory=omitted
    )
    specialty: DoctorSpecialty = Field(default_factory=omitted)
    license_no: Annotated[NulFreeStr, Field(pattern="^[A-Z]{2}-[0-9]{6}$")] = Field(
        default_factory=omitted
    )
    fee: Annotated[
        Decimal, Field(max_digits=8, decimal_places=2, ge=Decimal("0"), allow_inf_nan=False)
    ] = Field(default_factory=omitted)
    bio: Annotated[str, Field(pattern=NO_NUL)] | None = None
    email: EmailStr | None = None
    website: HttpUrlStr | None = None
    opens_at: Annotated[WallTime, Field(description="When the doctor's day starts")] = Field(
        default_factory=omitted
    )
    accepts_new_patients: StrictBool = Field(default_factory=omitted)


class DoctorRead(ReadSchema):
    id: int
    name: str
    specialty: DoctorSpecialty
    license_no: str
    fee: Annotated[Decimal, scaled(2)]
    bio: str | None
    email: str | None
    website: str | None
    opens_at: WallTime
    accepts_new_patients: bool
    created_at: datetime
    updated_at: datetime


DoctorPage = Page[DoctorRead]


class DoctorListQuery(InputSchema):
    """Query parameters of GET /doctors: paging, order, filters, search."""

    limit: int = Field(default=20, ge=1, le=100)
    cursor: str | None = Field(default=None, max_length=1000)
    sort: Literal[
        "name",
        "-name",
        "fee",
        "-fee",
        "id",
        "-id",
    ] = "name"
    q: str | None = Field(
        default=None,
        min_length=1,
        max_length=200,
        pattern=NO_NUL,
        description="Case-insensitive substring of name, bio",
    )
    specialty: DoctorSpecialty | None = None
    specialty__in: (
        Annotated[
            str,
            Field(pattern="^(general|cardiology|dermatology)(,(general|cardiology|dermatology))*$"),
        ]
        | None
    ) = None
    accepts_new_patients: bool | None = None


class AppointmentCreate(InputSchema):
    starts_at: UTCDatetime
    minutes: Annotated[JsonInt, Field(ge=10, le=240)] = 30
    reason: Annotated[str, Field(max_length=500, pattern=NO_NUL)] | None = None
    status: AppointmentStatus = AppointmentStatus.SCHEDULED
    doctor_id: Annotated[JsonInt, Field(ge=1, le=2147483647)]


class AppointmentUpdate(InputSchema):
    """Every field is optional: PATCH changes only what it sends."""

    starts_at: UTCDatetime = Field(default_factory=omitted)
    minutes: Annotated[JsonInt, Field(ge=10, le=240)] = Field(default_factory=omitted)
    reason: Annotated[str, Field(max_length=500, pattern=NO_NUL)] | None = None
    status: AppointmentStatus = Field(default_factory=omitted)
    doctor_id: Annotated[JsonInt, Field(ge=1, le=2147483647)] = Field(default_factory=omitted)


class AppointmentRead(ReadSchema):
    id: int
    owner_id: int
    starts_at: datetime
    minutes: int
    reason: str | None
    status: AppointmentStatus
    doctor_id: int
    created_at: datetime
    updated_at: datetime


AppointmentPage = Page[AppointmentRead]


class AppointmentListQuery(InputSchema):
    """Query parameters of GET /appointments: paging, order, filters, search."""

    limit: int = Field(default=20, ge=1, le=100)
    cursor: str | None = Field(default=None, max_length=1000)
    sort: Literal[
        "starts_at",
        "-starts_at",
        "created_at",
        "-created_at",
        "id",
        "-id",
    ] = "starts_at"
    q: str | None = Field(
        default=None,
        min_length=1,
        max_length=200,
        pattern=NO_NUL,
        description="Case-insensitive substring of reason",
    )
    status: AppointmentStatus | None = None
    status__in: (
        Annotated[str, Field(pattern="^(scheduled|done|cancelled)(,(scheduled|done|cancelled))*$")]
        | None
    ) = None
    doctor_id: Annotated[int, Field(ge=1, le=2147483647)] | None = None
    starts_at: UTCDatetime | None = None
    starts_at__gte: UTCDatetime | None = None
    starts_at__lte: UTCDatetime | None = None


class VisitNoteCreate(InputSchema):
    summary: Annotated[str, Field(min_length=1, max_length=2000, pattern=NO_NUL)]
    visited_on: IsoDate
    follow_up_in_days: Annotated[JsonInt, Field(ge=1, le=365)] | None = None
    appointment_id: Annotated[JsonInt, Field(ge=1, le=2147483647)]


class VisitNoteUpdate(InputSchema):
    """Every field is optional: PATCH changes only what it sends."""

    summary: Annotated[str, Field(min_length=1, max_length=2000, pattern=NO_NUL)] = Field(
        default_factory=omitted
    )
    visited_on: IsoDate = Field(default_factory=omitted)
    follow_up_in_days: Annotated[JsonInt, Field(ge=1, le=365)] | None = None
    appointment_id: Annotated[JsonInt, Field(ge=1, le=2147483647)] = Field(default_factory=omitted)


class VisitNoteRead(ReadSchema):
    id: int
    owner_id: int
    summary: str
    visited_on: date
    follow_up_in_days: int | None
    appointment_id: int
    created_at: datetime
    updated_at: datetime


VisitNotePage = Page[VisitNoteRead]


class VisitNoteListQuery(InputSchema):
    """Query parameters of GET /visit-notes: paging, order, filters."""

    limit: int = Field(default=10, ge=1, le=50)
    cursor: str | None = Field(default=None, max_length=1000)
    sort: Literal[
        "visited_on",
        "-visited_on",
        "id",
        "-id",
    ] = "-visited_on"
    appointment_id: Annotated[int, Field(ge=1, le=2147483647)] | None = None
    visited_on: IsoDate | None = None
    visited_on__gte: IsoDate | None = None
    visited_on__lte: IsoDate | None = None
