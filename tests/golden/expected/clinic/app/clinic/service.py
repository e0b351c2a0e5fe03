"""Business rules of the Clinic appointments feature.

Every function takes the caller (`user`, None when anonymous) and applies the entity's
access rules inside the query: a row the caller may not read is never loaded. Services
flush; the request's session commits once.
"""

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Select, exists, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from app.auth.models import User
from app.clinic import rules
from app.clinic.models import (
    Appointment,
    Doctor,
    VisitNote,
)
from app.clinic.schemas import (
    AppointmentCreate,
    AppointmentListQuery,
    AppointmentUpdate,
    DoctorCreate,
    DoctorListQuery,
    DoctorUpdate,
    VisitNoteCreate,
    VisitNoteListQuery,
    VisitNoteUpdate,
)
from app.core.access import EntityAccess, Rule, Scope, authorize, authorize_row
from app.core.errors import Conflict, InvalidInput, NotFound
from app.core.pagination import SortOrder, paginate
from app.core.search import contains


async def _flush(session: AsyncSession) -> None:
    """Flush; a constraint the checks could not foresee (a concurrent write) is a 409."""
    try:
        await session.flush()
    except IntegrityError:
        raise Conflict("The change conflicts with existing data; reload and retry.") from None


# --- Doctor -------------------------------------------------------------------

DOCTOR_ACCESS = EntityAccess(
    list=Rule(public=True),
    read=Rule(public=True),
    create=Rule(roles=frozenset({"admin"})),
    update=Rule(roles=frozenset({"admin"})),
    delete=Rule(roles=frozenset({"admin"})),
)

_DOCTOR_SORTS: dict[str, tuple[InstrumentedAttribute[Any], bool]] = {
    "name": (Doctor.name, False),
    "fee": (Doctor.fee, False),
    "id": (Doctor.id, False),
}


def _doctors_visible_to(user: User | None, rule: Rule, action: str) -> Select[Doctor]:
    """The doctors `user` may see for `action` (401/403 if none)."""
    authorize(rule, user, action)
    return select(Doctor)


async def list_doctors(
    session: AsyncSession, user: User | None, query: DoctorListQuery
) -> tuple[Sequence[Doctor], str | None]:
    """One page of the doctors the caller may read, and the next page's cursor."""
    statement = _doctors_visible_to(user, DOCTOR_ACCESS.list, "list")
    if query.specialty is not None:
        statement = statement.where(Doctor.specialty == query.specialty)
    if query.specialty__in is not None:
        statement = statement.where(Doctor.specialty.in_(query.specialty__in.split(",")))
    if query.accepts_new_patients is not None:
        statement = statement.where(Doctor.accepts_new_patients == query.accepts_new_patients)
    if query.q is not None:
        statement = statement.where(
            or_(
                contains(Doctor.name, query.q),
                contains(Doctor.bio, query.q),
            )
        )
    key = query.sort.removeprefix("-")
    column, nullable = _DOCTOR_SORTS[key]
    order = SortOrder(
        key=key,
        column=column,
        id_column=Doctor.id,
        descending=query.sort.startswith("-"),
        nullable=nullable,
    )
    return await paginate(session, statement, order, limit=query.limit, cursor=query.cursor)


async def get_doctor(session: AsyncSession, user: User | None, doctor_id: int) -> Doctor:
    """The doctor, if the caller may read it; 404 otherwise."""
    statement = _doctors_visible_to(user, DOCTOR_ACCESS.read, "read")
    doctor = await session.scalar(statement.where(Doctor.id == doctor_id))
    if doctor is None:
        raise NotFound("Doctor", doctor_id)
    return doctor


async def _check_doctor_unique(
    session: AsyncSession, values: dict[str, Any], exclude_id: int | None
) -> None:
    """409 if another doctor already has these unique values."""
    others = select(Doctor.id).where(Doctor.id != exclude_id)
    if values.get("license_no") is not None and await session.scalar(
        select(exists(others.where(Doctor.license_no == values["license_no"])))
    ):
        raise Conflict("A doctor with this license_no already exists.")
    if values.get("email") is not None and await session.scalar(
        select(exists(others.where(Doctor.email == values["email"])))
    ):
        raise Conflict("A doctor with this email already exists.")


async def create_doctor(session: AsyncSession, user: User | None, data: DoctorCreate) -> Doctor:
    authorize(DOCTOR_ACCESS.create, user, "create")
    values = data.model_dump()
    await rules.before_create_doctor(session, user, values)
    await _check_doctor_unique(session, values, exclude_id=None)
    doctor = Doctor(**values)
    session.add(doctor)
    await _flush(session)
    return doctor


async def update_doctor(
    session: AsyncSession, user: User | None, doctor: Doctor, data: DoctorUpdate
) -> Doctor:
    authorize_row(DOCTOR_ACCESS.update, user, "update", None)
    changes = data.model_dump(exclude_unset=True)
    await rules.before_update_doctor(session, user, doctor, changes)
    current = {name: getattr(doctor, name) for name in ("license_no", "email")}
    await _check_doctor_unique(session, {**current, **changes}, exclude_id=doctor.id)
    for name, value in changes.items():
        setattr(doctor, name, value)
    await _flush(session)
    return doctor


async def delete_doctor(session: AsyncSession, user: User | None, doctor: Doctor) -> None:
    authorize_row(DOCTOR_ACCESS.delete, user, "delete", None)
    await rules.before_delete_doctor(session, user, doctor)
    if await session.scalar(select(exists().where(Appointment.doctor_id == doctor.id))):
        raise Conflict(f"Doctor {doctor.id} still has appointments; delete them first.")
    await session.delete(doctor)
    await _flush(session)


# --- Appointment --------------------------------------------------------------

APPOINTMENT_ACCESS = EntityAccess(
    list=Rule(owner=True, roles=frozenset({"admin", "doctor", "receptionist"})),
    read=Rule(owner=True, roles=frozenset({"admin", "doctor", "receptionist"})),
    create=Rule(authenticated=True),
    update=Rule(owner=True, roles=frozenset({"admin", "receptionist"})),
    delete=Rule(owner=True, roles=frozenset({"admin"})),
)

_APPOINTMENT_SORTS: dict[str, tuple[InstrumentedAttribute[Any], bool]] = {
    "starts_at": (Appointment.starts_at, False),
    "created_at": (Appointment.created_at, False),
    "id": (Appointment.id, False),
}


def _appointments_visible_to(user: User | None, rule: Rule, action: str) -> Select[Appointment]:
    """The appointments `user` may see for `action` (401/403 if none)."""
    statement = select(Appointment)
    if authorize(rule, user, action) is Scope.OWN:
        assert user is not None  # noqa: S101 - Scope.OWN is only given to a signed-in user
        statement = statement.where(Appointment.owner_id == user.id)
    return statement


async def list_appointments(
    session: AsyncSession, user: User | None, query: AppointmentListQuery
) -> tuple[Sequence[Appointment], str | None]:
    """One page of the appointments the caller may read, and the next page's cursor."""
    statement = _appointments_visible_to(user, APPOINTMENT_ACCESS.list, "list")
    if query.status is not None:
        statement = statement.where(Appointment.status == query.status)
    if query.status__in is not None:
        statement = statement.where(Appointment.status.in_(query.status__in.split(",")))
    if query.doctor_id is not None:
        statement = statement.where(Appointment.doctor_id == query.doctor_id)
    if query.starts_at is not None:
        statement = statement.where(Appointment.starts_at == query.starts_at)
    if query.starts_at__gte is not None:
        statement = statement.where(Appointment.starts_at >= query.starts_at__gte)
    if query.starts_at__lte is not None:
        statement = statement.where(Appointment.starts_at <= query.starts_at__lte)
    if query.q is not None:
        statement = statement.where(
            or_(
                contains(Appointment.reason, query.q),
            )
        )
    key = query.sort.removeprefix("-")
    column, nullable = _APPOINTMENT_SORTS[key]
    order = SortOrder(
        key=key,
        column=column,
        id_column=Appointment.id,
        descending=query.sort.startswith("-"),
        nullable=nullable,
    )
    return await paginate(session, statement, order, limit=query.limit, cursor=query.cursor)


async def get_appointment(
    session: AsyncSession, user: User | None, appointment_id: int
) -> Appointment:
    """The appointment, if the caller may read it; 404 otherwise."""
    statement = _appointments_visible_to(user, APPOINTMENT_ACCESS.read, "read")
    appointment = await session.scalar(statement.where(Appointment.id == appointment_id))
    if appointment is None:
        raise NotFound("Appointment", appointment_id)
    return appointment


async def _check_appointment_references(
    session: AsyncSession, user: User | None, values: dict[str, Any]
) -> None:
    """Each referenced row must exist and be readable by the caller (else 422)."""
    if (value := values.get("doctor_id")) is not None:
        doctor_rows = _doctors_visible_to(user, DOCTOR_ACCESS.read, "read")
        if await session.scalar(doctor_rows.where(Doctor.id == value)) is None:
            raise InvalidInput(
                ["body", "doctor_id"], f"Doctor {value} does not exist.", "foreign_key"
            )


async def _check_appointment_unique(
    session: AsyncSession, values: dict[str, Any], exclude_id: int | None
) -> None:
    """409 if another appointment already has these unique values."""
    others = select(Appointment.id).where(Appointment.id != exclude_id)
    if all(
        values.get(name) is not None for name in ("doctor_id", "starts_at")
    ) and await session.scalar(
        select(
            exists(
                others.where(
                    Appointment.doctor_id == values["doctor_id"],
                    Appointment.starts_at == values["starts_at"],
                )
            )
        )
    ):
        raise Conflict("A appointment with the same doctor, starts_at already exists.")


async def create_appointment(
    session: AsyncSession, user: User | None, data: AppointmentCreate
) -> Appointment:
    authorize(APPOINTMENT_ACCESS.create, user, "create")
    values = data.model_dump()
    assert user is not None  # noqa: S101 - the spec never lets anonymous callers create owned rows
    values["owner_id"] = user.id
    await rules.before_create_appointment(session, user, values)
    await _check_appointment_references(session, user, values)
    await _check_appointment_unique(session, values, exclude_id=None)
    appointment = Appointment(**values)
    session.add(appointment)
    await _flush(session)
    return appointment


async def update_appointment(
    session: AsyncSession, user: User | None, appointment: Appointment, data: AppointmentUpdate
) -> Appointment:
    authorize_row(APPOINTMENT_ACCESS.update, user, "update", appointment.owner_id)
    changes = data.model_dump(exclude_unset=True)
    await rules.before_update_appointment(session, user, appointment, changes)
    await _check_appointment_references(session, user, changes)
    current = {name: getattr(appointment, name) for name in ("doctor_id", "starts_at")}
    await _check_appointment_unique(session, {**current, **changes}, exclude_id=appointment.id)
    for name, value in changes.items():
        setattr(appointment, name, value)
    await _flush(session)
    return appointment


async def delete_appointment(
    session: AsyncSession, user: User | None, appointment: Appointment
) -> None:
    authorize_row(APPOINTMENT_ACCESS.delete, user, "delete", appointment.owner_id)
    await rules.before_delete_appointment(session, user, appointment)
    await session.delete(appointment)
    await _flush(session)


# --- VisitNote ----------------------------------------------------------------

VISITNOTE_ACCESS = EntityAccess(
    list=Rule(owner=True, roles=frozenset({"admin", "doctor"})),
    read=Rule(owner=True, roles=frozenset({"admin", "doctor"})),
    create=Rule(roles=frozenset({"doctor"})),
    update=Rule(owner=True),
    delete=Rule(roles=frozenset({"admin"})),
)

_VISITNOTE_SORTS: dict[str, tuple[InstrumentedAttribute[Any], bool]] = {
    "visited_on": (VisitNote.visited_on, False),
    "id": (VisitNote.id, False),
}


def _visit_notes_visible_to(user: User | None, rule: Rule, action: str) -> Select[VisitNote]:
    """The visit_notes `user` may see for `action` (401/403 if none)."""
    statement = select(VisitNote)
    if authorize(rule, user, action) is Scope.OWN:
        assert user is not None  # noqa: S101 - Scope.OWN is only given to a signed-in user
        statement = statement.where(VisitNote.owner_id == user.id)
    return statement


async def list_visit_notes(
    session: AsyncSession, user: User | None, query: VisitNoteListQuery
) -> tuple[Sequence[VisitNote], str | None]:
    """One page of the visit_notes the caller may read, and the next page's cursor."""
    statement = _visit_notes_visible_to(user, VISITNOTE_ACCESS.list, "list")
    if query.appointment_id is not None:
        statement = statement.where(VisitNote.appointment_id == query.appointment_id)
    if query.visited_on is not None:
        statement = statement.where(VisitNote.visited_on == query.visited_on)
    if query.visited_on__gte is not None:
        statement = statement.where(VisitNote.visited_on >= query.visited_on__gte)
    if query.visited_on__lte is not None:
        statement = statement.where(VisitNote.visited_on <= query.visited_on__lte)
    key = query.sort.removeprefix("-")
    column, nullable = _VISITNOTE_SORTS[key]
    order = SortOrder(
        key=key,
        column=column,
        id_column=VisitNote.id,
        descending=query.sort.startswith("-"),
        nullable=nullable,
    )
    return await paginate(session, statement, order, limit=query.limit, cursor=query.cursor)


async def get_visit_note(session: AsyncSession, user: User | None, visit_note_id: int) -> VisitNote:
    """The visit_note, if the caller may read it; 404 otherwise."""
    statement = _visit_notes_visible_to(user, VISITNOTE_ACCESS.read, "read")
    visit_note = await session.scalar(statement.where(VisitNote.id == visit_note_id))
    if visit_note is None:
        raise NotFound("VisitNote", visit_note_id)
    return visit_note


async def _check_visit_note_references(
    session: AsyncSession, user: User | None, values: dict[str, Any]
) -> None:
    """Each referenced row must exist and be readable by the caller (else 422)."""
    if (value := values.get("appointment_id")) is not None:
        appointment_rows = _appointments_visible_to(user, APPOINTMENT_ACCESS.read, "read")
        if await session.scalar(appointment_rows.where(Appointment.id == value)) is None:
            raise InvalidInput(
                ["body", "appointment_id"], f"Appointment {value} does not exist.", "foreign_key"
            )


async def _check_visit_note_unique(
    session: AsyncSession, values: dict[str, Any], exclude_id: int | None
) -> None:
    """409 if another visit_note already has these unique values."""
    others = select(VisitNote.id).where(VisitNote.id != exclude_id)
    if all(
        values.get(name) is not None for name in ("appointment_id", "owner_id")
    ) and await session.scalar(
        select(
            exists(
                others.where(
                    VisitNote.appointment_id == values["appointment_id"],
                    VisitNote.owner_id == values["owner_id"],
                )
            )
        )
    ):
        raise Conflict("A visit note with the same appointment, owner already exists.")


async def create_visit_note(
    session: AsyncSession, user: User | None, data: VisitNoteCreate
) -> VisitNote:
    authorize(VISITNOTE_ACCESS.create, user, "create")
    values = data.model_dump()
    assert user is not None  # noqa: S101 - the spec never lets anonymous callers create owned rows
    values["owner_id"] = user.id
    await rules.before_create_visit_note(session, user, values)
    await _check_visit_note_references(session, user, values)
    await _check_visit_note_unique(session, values, exclude_id=None)
    visit_note = VisitNote(**values)
    session.add(visit_note)
    await _flush(session)
    return visit_note


async def update_visit_note(
    session: AsyncSession, user: User | None, visit_note: VisitNote, data: VisitNoteUpdate
) -> VisitNote:
    authorize_row(VISITNOTE_ACCESS.update, user, "update", visit_note.owner_id)
    changes = data.model_dump(exclude_unset=True)
    await rules.before_update_visit_note(session, user, visit_note, changes)
    await _check_visit_note_references(session, user, changes)
    current = {name: getattr(visit_note, name) for name in ("appointment_id", "owner_id")}
    await _check_visit_note_unique(session, {**current, **changes}, exclude_id=visit_note.id)
    for name, value in changes.items():
        setattr(visit_note, name, value)
    await _flush(session)
    return visit_note


async def delete_visit_note(
    session: AsyncSession, user: User | None, visit_note: VisitNote
) -> None:
    authorize_row(VISITNOTE_ACCESS.delete, user, "delete", visit_note.owner_id)
    await rules.before_delete_visit_note(session, user, visit_note)
    await session.delete(visit_note)
    await _flush(session)
