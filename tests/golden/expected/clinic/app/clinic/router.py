"""HTTP endpoints of the Clinic appointments feature."""

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response, status

from app.auth.dependencies import OptionalUser, SessionDep
from app.clinic import service
from app.clinic.dependencies import (
    ValidAppointment,
    ValidDoctor,
    ValidVisitNote,
)
from app.clinic.models import (
    Appointment,
    Doctor,
    VisitNote,
)
from app.clinic.schemas import (
    AppointmentCreate,
    AppointmentListQuery,
    AppointmentPage,
    AppointmentRead,
    AppointmentUpdate,
    DoctorCreate,
    DoctorListQuery,
    DoctorPage,
    DoctorRead,
    DoctorUpdate,
    VisitNoteCreate,
    VisitNoteListQuery,
    VisitNotePage,
    VisitNoteRead,
    VisitNoteUpdate,
)
from app.core.errors import OPTIONAL_AUTH, problem_responses

router = APIRouter()


@router.get(
    "/doctors",
    tags=["doctors"],
    response_model=DoctorPage,
    responses=problem_responses(401, 422),
    openapi_extra=OPTIONAL_AUTH,
)
async def list_doctors(
    query: Annotated[DoctorListQuery, Query()], session: SessionDep, user: OptionalUser
) -> dict[str, Any]:
    """List the doctors you may read, one page at a time."""
    rows, next_cursor = await service.list_doctors(session, user, query)
    return {"items": rows, "next_cursor": next_cursor}


@router.post(
    "/doctors",
    tags=["doctors"],
    status_code=status.HTTP_201_CREATED,
    response_model=DoctorRead,
    responses=problem_responses(201, 400, 401, 403, 409, 422),
)
async def create_doctor(
    data: DoctorCreate,
    session: SessionDep,
    user: OptionalUser,
    request: Request,
    response: Response,
) -> Doctor:
    """Create a doctor; its URL is in the Location header."""
    doctor = await service.create_doctor(session, user, data)
    response.headers["Location"] = str(request.url_for("get_doctor", doctor_id=doctor.id))
    return doctor


@router.get(
    "/doctors/{doctor_id}",
    tags=["doctors"],
    response_model=DoctorRead,
    responses=problem_responses(401, 404, 422),
    openapi_extra=OPTIONAL_AUTH,
)
async def get_doctor(doctor: ValidDoctor) -> Doctor:
    """Read one doctor."""
    return doctor


@router.patch(
    "/doctors/{doctor_id}",
    tags=["doctors"],
    response_model=DoctorRead,
    responses=problem_responses(400, 401, 403, 404, 409, 422),
)
async def update_doctor(
    doctor: ValidDoctor, data: DoctorUpdate, session: SessionDep, user: OptionalUser
) -> Doctor:
    """Change the fields you send; the others keep their values."""
    return await service.update_doctor(session, user, doctor, data)


@router.delete(
    "/doctors/{doctor_id}",
    tags=["doctors"],
    status_code=status.HTTP_204_NO_CONTENT,
    response_class=Response,
    responses=problem_responses(401, 403, 404, 409, 422),
)
async def delete_doctor(doctor: ValidDoctor, session: SessionDep, user: OptionalUser) -> None:
    """Delete a doctor."""
    await service.delete_doctor(session, user, doctor)


@router.get(
    "/appointments",
    tags=["appointments"],
    response_model=AppointmentPage,
    responses=problem_responses(401, 403, 422),
)
async def list_appointments(
    query: Annotated[AppointmentListQuery, Query()], session: SessionDep, user: OptionalUser
) -> dict[str, Any]:
    """List the appointments you may read, one page at a time."""
    rows, next_cursor = await service.list_appointments(session, user, query)
    return {"items": rows, "next_cursor": next_cursor}


@router.post(
    "/appointments",
    tags=["appointments"],
    status_code=status.HTTP_201_CREATED,
    response_model=AppointmentRead,
    responses=problem_responses(201, 400, 401, 409, 422),
)
async def create_appointment(
    data: AppointmentCreate,
    session: SessionDep,
    user: OptionalUser,
    request: Request,
    response: Response,
) -> Appointment:
    """Create a appointment; its URL is in the Location header."""
    appointment = await service.create_appointment(session, user, data)
    response.headers["Location"] = str(
        request.url_for("get_appointment", appointment_id=appointment.id)
    )
    return appointment


@router.get(
    "/appointments/{appointment_id}",
    tags=["appointments"],
    response_model=AppointmentRead,
    responses=problem_responses(401, 403, 404, 422),
)
async def get_appointment(appointment: ValidAppointment) -> Appointment:
    """Read one appointment."""
    return appointment


@router.patch(
    "/appointments/{appointment_id}",
    tags=["appointments"],
    response_model=AppointmentRead,
    responses=problem_responses(400, 401, 403, 404, 409, 422),
)
async def update_appointment(
    appointment: ValidAppointment, data: AppointmentUpdate, session: SessionDep, user: OptionalUser
) -> Appointment:
    """Change the fields you send; the others keep their values."""
    return await service.update_appointment(session, user, appointment, data)


@router.delete(
    "/appointments/{appointment_id}",
    tags=["appointments"],
    status_code=status.HTTP_204_NO_CONTENT,
    response_class=Response,
    responses=problem_responses(401, 403, 404, 409, 422),
)
async def delete_appointment(
    appointment: ValidAppointment, session: SessionDep, user: OptionalUser
) -> None:
    """Delete a appointment."""
    await service.delete_appointment(session, user, appointment)


@router.get(
    "/visit-notes",
    tags=["visit-notes"],
    response_model=VisitNotePage,
    responses=problem_responses(401, 403, 422),
)
async def list_visit_notes(
    query: Annotated[VisitNoteListQuery, Query()], session: SessionDep, user: OptionalUser
) -> dict[str, Any]:
    """List the visit notes you may read, one page at a time."""
    rows, next_cursor = await service.list_visit_notes(session, user, query)
    return {"items": rows, "next_cursor": next_cursor}


@router.post(
    "/visit-notes",
    tags=["visit-notes"],
    status_code=status.HTTP_201_CREATED,
    response_model=VisitNoteRead,
    responses=problem_responses(201, 400, 401, 403, 409, 422),
)
async def create_visit_note(
    data: VisitNoteCreate,
    session: SessionDep,
    user: OptionalUser,
    request: Request,
    response: Response,
) -> VisitNote:
    """Create a visit note; its URL is in the Location header."""
    visit_note = await service.create_visit_note(session, user, data)
    response.headers["Location"] = str(
        request.url_for("get_visit_note", visit_note_id=visit_note.id)
    )
    return visit_note


@router.get(
    "/visit-notes/{visit_note_id}",
    tags=["visit-notes"],
    response_model=VisitNoteRead,
    responses=problem_responses(401, 403, 404, 422),
)
async def get_visit_note(visit_note: ValidVisitNote) -> VisitNote:
    """Read one visit note."""
    return visit_note


@router.patch(
    "/visit-notes/{visit_note_id}",
    tags=["visit-notes"],
    response_model=VisitNoteRead,
    responses=problem_responses(400, 401, 403, 404, 409, 422),
)
async def update_visit_note(
    visit_note: ValidVisitNote, data: VisitNoteUpdate, session: SessionDep, user: OptionalUser
) -> VisitNote:
    """Change the fields you send; the others keep their values."""
    return await service.update_visit_note(session, user, visit_note, data)


@router.delete(
    "/visit-notes/{visit_note_id}",
    tags=["visit-notes"],
    status_code=status.HTTP_204_NO_CONTENT,
    response_class=Response,
    responses=problem_responses(401, 403, 404, 409, 422),
)
async def delete_visit_note(
    visit_note: ValidVisitNote, session: SessionDep, user: OptionalUser
) -> None:
    """Delete a visit note."""
    await service.delete_visit_note(session, user, visit_note)
