"""Validating dependencies: load a row the caller may read, or answer 404."""

from typing import Annotated

from fastapi import Depends, Path

from app.auth.dependencies import OptionalUser, SessionDep
from app.clinic import service
from app.clinic.models import (
    Appointment,
    Doctor,
    VisitNote,
)
from app.core.schemas import MAX_ID


async def valid_doctor(
    doctor_id: Annotated[int, Path(ge=1, le=MAX_ID)], session: SessionDep, user: OptionalUser
) -> Doctor:
    return await service.get_doctor(session, user, doctor_id)


ValidDoctor = Annotated[Doctor, Depends(valid_doctor)]


async def valid_appointment(
    appointment_id: Annotated[int, Path(ge=1, le=MAX_ID)], session: SessionDep, user: OptionalUser
) -> Appointment:
    return await service.get_appointment(session, user, appointment_id)


ValidAppointment = Annotated[Appointment, Depends(valid_appointment)]


async def valid_visit_note(
    visit_note_id: Annotated[int, Path(ge=1, le=MAX_ID)], session: SessionDep, user: OptionalUser
) -> VisitNote:
    return await service.get_visit_note(session, user, visit_note_id)


ValidVisitNote = Annotated[VisitNote, Depends(valid_visit_note)]
