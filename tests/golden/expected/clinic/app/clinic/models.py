"""Database models of the Clinic appointments feature."""

from datetime import date, datetime, time
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import (
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    Time,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from app.core.db import Base, IdMixin, TimestampMixin, UTCDateTime


class DoctorSpecialty(StrEnum):
    GENERAL = "general"
    CARDIOLOGY = "cardiology"
    DERMATOLOGY = "dermatology"


class Doctor(IdMixin, TimestampMixin, Base):
    __tablename__ = "doctors"
    __table_args__ = (
        Index(
            "ix_doctors_name_id",
            "name",
            "id",
        ),
        Index(
            "ix_doctors_fee_id",
            "fee",
            "id",
        ),
    )

    name: Mapped[str] = mapped_column(String(100))
    specialty: Mapped[str] = mapped_column(String(11), index=True, default="general")
    license_no: Mapped[str] = mapped_column(String(), unique=True)
    fee: Mapped[Decimal] = mapped_column(Numeric(8, 2))
    bio: Mapped[str | None] = mapped_column(Text())
    email: Mapped[str | None] = mapped_column(String(320), unique=True)
    website: Mapped[str | None] = mapped_column(String(2048))
    opens_at: Mapped[time] = mapped_column(
        Time(), default=time.fromisoformat("08:00:00"), comment="When the doctor's day starts"
    )
    accepts_new_patients: Mapped[bool] = mapped_column(Boolean(), index=True, default=True)


class AppointmentStatus(StrEnum):
    SCHEDULED = "scheduled"
    DONE = "done"
    CANCELLED = "cancelled"


class Appointment(IdMixin, TimestampMixin, Base):
    __tablename__ = "appointments"
    __table_args__ = (
        UniqueConstraint(
            "doctor_id",
            "starts_at",
        ),
        Index(
            "ix_appointments_starts_at_id",
            "starts_at",
            "id",
        ),
        Index(
            "ix_appointments_owner_id_starts_at_id",
            "owner_id",
            "starts_at",
            "id",
        ),
        Index(
            "ix_appointments_created_at_id",
            "created_at",
            "id",
        ),
        Index(
            "ix_appointments_owner_id_created_at_id",
            "owner_id",
            "created_at",
            "id",
        ),
    )

    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime())
    minutes: Mapped[int] = mapped_column(Integer(), default=30)
    reason: Mapped[str | None] = mapped_column(String(500))
    status: Mapped[str] = mapped_column(String(9), index=True, default="scheduled")
    doctor_id: Mapped[int] = mapped_column(
        ForeignKey("doctors.id", ondelete="RESTRICT"), index=True
    )


class VisitNote(IdMixin, TimestampMixin, Base):
    """What the doctor wrote after a visit."""

    __tablename__ = "visit_notes"
    __table_args__ = (
        UniqueConstraint(
            "appointment_id",
            "owner_id",
        ),
        Index(
            "ix_visit_notes_visited_on_id",
            "visited_on",
            "id",
        ),
        Index(
            "ix_visit_notes_owner_id_visited_on_id",
            "owner_id",
            "visited_on",
            "id",
        ),
    )

    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    summary: Mapped[str] = mapped_column(String(2000))
    visited_on: Mapped[date] = mapped_column(Date())
    follow_up_in_days: Mapped[int | None] = mapped_column(Integer())
    appointment_id: Mapped[int] = mapped_column(
        ForeignKey("appointments.id", ondelete="CASCADE"), index=True
    )
