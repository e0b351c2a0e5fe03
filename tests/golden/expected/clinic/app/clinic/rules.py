"""Business rules of the Clinic appointments feature that the spec does not declare.

The service calls these hooks before it writes. Refuse a change by raising a domain
error from `app.core.errors` (InvalidInput for a 422 on a field, Conflict for a 409,
Forbidden for a 403); adjust `values` or `changes` in place to derive fields.
backsmith writes this module once and afterwards only adds the hooks of new entities:
the code in it is yours.
"""

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.auth.models import User
from app.clinic.models import (
    Appointment,
    Doctor,
    VisitNote,
)


async def before_create_doctor(
    session: AsyncSession, user: User | None, values: dict[str, Any]
) -> None:
    """Called with the validated fields of a new doctor."""


async def before_update_doctor(
    session: AsyncSession, user: User | None, doctor: Doctor, changes: dict[str, Any]
) -> None:
    """Called with the fields a PATCH changes, before they are applied."""


async def before_delete_doctor(session: AsyncSession, user: User | None, doctor: Doctor) -> None:
    """Called before the doctor is deleted."""


async def before_create_appointment(
    session: AsyncSession, user: User | None, values: dict[str, Any]
) -> None:
    """Called with the validated fields of a new appointment."""


async def before_update_appointment(
    session: AsyncSession, user: User | None, appointment: Appointment, changes: dict[str, Any]
) -> None:
    """Called with the fields a PATCH changes, before they are applied."""


async def before_delete_appointment(
    session: AsyncSession, user: User | None, appointment: Appointment
) -> None:
    """Called before the appointment is deleted."""


async def before_create_visit_note(
    session: AsyncSession, user: User | None, values: dict[str, Any]
) -> None:
    """Called with the validated fields of a new visit note."""


async def before_update_visit_note(
    session: AsyncSession, user: User | None, visit_note: VisitNote, changes: dict[str, Any]
) -> None:
    """Called with the fields a PATCH changes, before they are applied."""


async def before_delete_visit_note(
    session: AsyncSession, user: User | None, visit_note: VisitNote
) -> None:
    """Called before the visit note is deleted."""
