import uuid
from typing import Any

from fastapi import HTTPException
from fastapi.exceptions import RequestValidationError
from sqlalchemy import ColumnElement, delete, false, func, or_, true
from sqlmodel import Session, col, select

from app.core.security import get_password_hash, verify_password
from app.models import (
    Appointment,
    AppointmentCreate,
    AppointmentUpdate,
    ClinicUserRole,
    Doctor,
    DoctorCreate,
    DoctorUpdate,
    Item,
    ItemCreate,
    User,
    UserCreate,
    VisitNote,
    VisitNoteCreate,
    VisitNoteUpdate,
)

# Checked when the email is unknown, so that a login takes as long either way.
DUMMY_HASH = get_password_hash("not-a-real-password")


def create_user(*, session: Session, user_create: UserCreate) -> User:
    db_obj = User.model_validate(
        user_create, update={"hashed_password": get_password_hash(user_create.password)}
    )
    session.add(db_obj)
    session.commit()
    session.refresh(db_obj)
    return db_obj


def get_user_by_email(*, session: Session, email: str) -> User | None:
    statement = select(User).where(User.email == email)
    return session.exec(statement).first()


def authenticate(*, session: Session, email: str, password: str) -> User | None:
    db_user = get_user_by_email(session=session, email=email)
    if not db_user:
        verify_password(password, DUMMY_HASH)
        return None
    if not verify_password(password, db_user.hashed_password):
        return None
    return db_user


def create_item(*, session: Session, item_in: ItemCreate, owner_id: uuid.UUID) -> Item:
    db_item = Item.model_validate(item_in, update={"owner_id": owner_id})
    session.add(db_item)
    session.commit()
    session.refresh(db_item)
    return db_item


def _has_role(session: Session, user: User, roles: tuple[str, ...]) -> bool:
    """Whether `user` holds one of `roles` (ClinicUserRole rows, which the team grants)."""
    held = session.scalar(
        select(col(ClinicUserRole.role))
        .where(
            col(ClinicUserRole.user_id) == user.id, col(ClinicUserRole.role).in_(roles)
        )
        .limit(1)
    )
    return held is not None


def visible_doctors(_user: User | None) -> ColumnElement[bool]:
    """The doctors `user` may see: every query of them starts
    here."""
    return true()


def _may_change_doctor(user: User, doctor: Doctor, action: str) -> None:
    rules = {
        "update": user.is_superuser,
        "delete": user.is_superuser,
    }
    if not rules[action]:
        raise HTTPException(
            status_code=403, detail=f"You may not {action} Doctor {doctor.id}"
        )


def _check_unique_doctor(
    session: Session, values: dict[str, Any], current: Doctor | None
) -> None:
    constraints: list[tuple[str, ...]] = [
        ("license_no",),
        ("email",),
    ]
    for members in constraints:
        if current is not None and not any(name in values for name in members):
            continue
        wanted = {
            name: values.get(name, getattr(current, name, None)) for name in members
        }
        if any(value is None for value in wanted.values()):
            continue  # as in the database: a null collides with nothing
        statement = select(col(Doctor.id)).where(
            *(col(getattr(Doctor, name)) == value for name, value in wanted.items())
        )
        if current is not None:
            statement = statement.where(col(Doctor.id) != current.id)
        if session.scalar(statement.limit(1)) is not None:
            shown = ", ".join(f"{name}={value}" for name, value in wanted.items())
            raise HTTPException(
                status_code=409, detail=f"A Doctor with {shown} already exists"
            )


def list_doctors(
    session: Session,
    user: User | None,
    *,
    offset: int,
    limit: int,
    specialty: Any = None,
    specialty__in: Any = None,
    accepts_new_patients: Any = None,
    q: str | None = None,
    sort: str | None = None,
) -> tuple[list[Doctor], int]:
    conditions = [visible_doctors(user)]
    if specialty is not None:
        conditions.append(col(Doctor.specialty) == specialty)
    if specialty__in is not None:
        conditions.append(col(Doctor.specialty).in_(specialty__in.split(",")))
    if accepts_new_patients is not None:
        conditions.append(col(Doctor.accepts_new_patients) == accepts_new_patients)
    if q:
        pattern = f"%{q}%"
        conditions.append(
            or_(col(Doctor.name).ilike(pattern), col(Doctor.bio).ilike(pattern))
        )
    total = session.scalar(select(func.count()).select_from(Doctor).where(*conditions))
    orders: dict[str, ColumnElement[Any]] = {
        "name": col(Doctor.name).asc(),
        "-fee": col(Doctor.fee).desc(),
    }
    first = orders[sort] if sort else col(Doctor.name).asc()
    order: list[ColumnElement[Any]] = [first, col(Doctor.id).asc()]
    rows = session.scalars(
        select(Doctor).where(*conditions).order_by(*order).offset(offset).limit(limit)
    )
    return list(rows.all()), total or 0


def get_doctor(session: Session, user: User | None, doctor_id: int) -> Doctor:
    """The doctor, if the caller may see it; else a 404, as if it did not exist."""
    doctor = session.scalar(
        select(Doctor).where(col(Doctor.id) == doctor_id, visible_doctors(user))
    )
    if doctor is None:
        raise HTTPException(status_code=404, detail=f"Doctor {doctor_id} not found")
    return doctor


def create_doctor(session: Session, user: User, data: DoctorCreate) -> Doctor:
    if not user.is_superuser:
        raise HTTPException(status_code=403, detail="You may not create doctors")
    values = data.model_dump()
    _check_unique_doctor(session, values, None)
    doctor = Doctor(**values)
    session.add(doctor)
    session.commit()
    session.refresh(doctor)
    return doctor


def update_doctor(
    session: Session, user: User, doctor_id: int, data: DoctorUpdate
) -> Doctor:
    doctor = get_doctor(session, user, doctor_id)
    _may_change_doctor(user, doctor, "update")
    changes = data.model_dump(exclude_unset=True)
    _check_unique_doctor(session, changes, doctor)
    for name, value in changes.items():
        setattr(doctor, name, value)
    session.commit()
    session.refresh(doctor)
    return doctor


def delete_doctor(session: Session, user: User, doctor_id: int) -> None:
    doctor = get_doctor(session, user, doctor_id)
    _may_change_doctor(user, doctor, "delete")
    if (
        session.scalar(
            select(col(Appointment.id))
            .where(col(Appointment.doctor_id) == doctor.id)
            .limit(1)
        )
        is not None
    ):
        raise HTTPException(
            status_code=409, detail=f"Doctor {doctor.id} still has appointments"
        )
    session.delete(doctor)
    session.commit()


def visible_appointments(user: User | None) -> ColumnElement[bool]:
    """The appointments `user` may see: every query of them starts
    here."""
    if user is None:
        return false()
    if user.is_superuser:
        return true()
    # In the query itself: the roles are looked up with the rows, not beforehand.
    has_role = (
        select(col(ClinicUserRole.user_id))
        .where(
            col(ClinicUserRole.user_id) == user.id,
            col(ClinicUserRole.role).in_(("doctor", "receptionist")),
        )
        .exists()
    )
    return or_(has_role, col(Appointment.owner_id) == user.id)


def _may_change_appointment(
    session: Session, user: User, appointment: Appointment, action: str
) -> None:
    # Only the action's own rule is decided: its role lookup, if any, is a query.
    allowed = (
        (
            user.is_superuser
            or appointment.owner_id == user.id
            or _has_role(session, user, ("receptionist",))
        )
        if action == "update"
        else (user.is_superuser or appointment.owner_id == user.id)
    )
    if not allowed:
        raise HTTPException(
            status_code=403, detail=f"You may not {action} Appointment {appointment.id}"
        )


def _check_unique_appointment(
    session: Session, values: dict[str, Any], current: Appointment | None
) -> None:
    constraints: list[tuple[str, ...]] = [
        ("doctor_id", "starts_at"),
    ]
    for members in constraints:
        if current is not None and not any(name in values for name in members):
            continue
        wanted = {
            name: values.get(name, getattr(current, name, None)) for name in members
        }
        if any(value is None for value in wanted.values()):
            continue  # as in the database: a null collides with nothing
        statement = select(col(Appointment.id)).where(
            *(
                col(getattr(Appointment, name)) == value
                for name, value in wanted.items()
            )
        )
        if current is not None:
            statement = statement.where(col(Appointment.id) != current.id)
        if session.scalar(statement.limit(1)) is not None:
            shown = ", ".join(f"{name}={value}" for name, value in wanted.items())
            raise HTTPException(
                status_code=409, detail=f"A Appointment with {shown} already exists"
            )


def _check_references_appointment(
    session: Session, user: User | None, values: dict[str, Any]
) -> None:
    if values.get("doctor_id") is not None:
        found = session.scalar(
            select(col(Doctor.id)).where(
                col(Doctor.id) == values["doctor_id"],
                visible_doctors(user),
            )
        )
        if found is None:
            # Shaped like FastAPI's own 422s, which the OpenAPI document describes.
            raise RequestValidationError(
                [
                    {
                        "type": "missing_reference",
                        "loc": ("body", "doctor_id"),
                        "msg": "no Doctor with id " + str(values["doctor_id"]),
                    }
                ]
            )


def list_appointments(
    session: Session,
    user: User | None,
    *,
    offset: int,
    limit: int,
    status: Any = None,
    status__in: Any = None,
    doctor_id: Any = None,
    starts_at: Any = None,
    starts_at__gte: Any = None,
    starts_at__lte: Any = None,
    q: str | None = None,
    sort: str | None = None,
) -> tuple[list[Appointment], int]:
    conditions = [visible_appointments(user)]
    if status is not None:
        conditions.append(col(Appointment.status) == status)
    if status__in is not None:
        conditions.append(col(Appointment.status).in_(status__in.split(",")))
    if doctor_id is not None:
        conditions.append(col(Appointment.doctor_id) == doctor_id)
    if starts_at is not None:
        conditions.append(col(Appointment.starts_at) == starts_at)
    if starts_at__gte is not None:
        conditions.append(col(Appointment.starts_at) >= starts_at__gte)
    if starts_at__lte is not None:
        conditions.append(col(Appointment.starts_at) <= starts_at__lte)
    if q:
        pattern = f"%{q}%"
        conditions.append(col(Appointment.reason).ilike(pattern))
    total = session.scalar(
        select(func.count()).select_from(Appointment).where(*conditions)
    )
    orders: dict[str, ColumnElement[Any]] = {
        "starts_at": col(Appointment.starts_at).asc(),
        "-created_at": col(Appointment.id).desc(),
    }
    first = orders[sort] if sort else col(Appointment.starts_at).asc()
    order: list[ColumnElement[Any]] = [first, col(Appointment.id).asc()]
    rows = session.scalars(
        select(Appointment)
        .where(*conditions)
        .order_by(*order)
        .offset(offset)
        .limit(limit)
    )
    return list(rows.all()), total or 0


def get_appointment(
    session: Session, user: User | None, appointment_id: int
) -> Appointment:
    """The appointment, if the caller may see it; else a 404, as if it did not exist."""
    appointment = session.scalar(
        select(Appointment).where(
            col(Appointment.id) == appointment_id, visible_appointments(user)
        )
    )
    if appointment is None:
        raise HTTPException(
            status_code=404, detail=f"Appointment {appointment_id} not found"
        )
    return appointment


def create_appointment(
    session: Session, user: User, data: AppointmentCreate
) -> Appointment:
    values = data.model_dump()
    values["owner_id"] = user.id
    _check_references_appointment(session, user, values)
    _check_unique_appointment(session, values, None)
    appointment = Appointment(**values)
    session.add(appointment)
    session.commit()
    session.refresh(appointment)
    return appointment


def update_appointment(
    session: Session, user: User, appointment_id: int, data: AppointmentUpdate
) -> Appointment:
    appointment = get_appointment(session, user, appointment_id)
    _may_change_appointment(session, user, appointment, "update")
    changes = data.model_dump(exclude_unset=True)
    _check_references_appointment(session, user, changes)
    _check_unique_appointment(session, changes, appointment)
    for name, value in changes.items():
        setattr(appointment, name, value)
    session.commit()
    session.refresh(appointment)
    return appointment


def delete_appointment(session: Session, user: User, appointment_id: int) -> None:
    appointment = get_appointment(session, user, appointment_id)
    _may_change_appointment(session, user, appointment, "delete")
    session.execute(
        delete(VisitNote).where(col(VisitNote.appointment_id) == appointment.id)
    )
    session.delete(appointment)
    session.commit()


def visible_visit_notes(user: User | None) -> ColumnElement[bool]:
    """The visit notes `user` may see: every query of them starts
    here."""
    if user is None:
        return false()
    if user.is_superuser:
        return true()
    # In the query itself: the roles are looked up with the rows, not beforehand.
    has_role = (
        select(col(ClinicUserRole.user_id))
        .where(
            col(ClinicUserRole.user_id) == user.id,
            col(ClinicUserRole.role).in_(("doctor",)),
        )
        .exists()
    )
    return or_(has_role, col(VisitNote.owner_id) == user.id)


def _may_change_visit_note(user: User, visit_note: VisitNote, action: str) -> None:
    rules = {
        "update": visit_note.owner_id == user.id,
        "delete": user.is_superuser,
    }
    if not rules[action]:
        raise HTTPException(
            status_code=403, detail=f"You may not {action} VisitNote {visit_note.id}"
        )


def _check_unique_visit_note(
    session: Session, values: dict[str, Any], current: VisitNote | None
) -> None:
    constraints: list[tuple[str, ...]] = [
        ("appointment_id", "owner_id"),
    ]
    for members in constraints:
        if current is not None and not any(name in values for name in members):
            continue
        wanted = {
            name: values.get(name, getattr(current, name, None)) for name in members
        }
        if any(value is None for value in wanted.values()):
            continue  # as in the database: a null collides with nothing
        statement = select(col(VisitNote.id)).where(
            *(col(getattr(VisitNote, name)) == value for name, value in wanted.items())
        )
        if current is not None:
            statement = statement.where(col(VisitNote.id) != current.id)
        if session.scalar(statement.limit(1)) is not None:
            shown = ", ".join(f"{name}={value}" for name, value in wanted.items())
            raise HTTPException(
                status_code=409, detail=f"A VisitNote with {shown} already exists"
            )


def _check_references_visit_note(
    session: Session, user: User | None, values: dict[str, Any]
) -> None:
    if values.get("appointment_id") is not None:
        found = session.scalar(
            select(col(Appointment.id)).where(
                col(Appointment.id) == values["appointment_id"],
                visible_appointments(user),
            )
        )
        if found is None:
            # Shaped like FastAPI's own 422s, which the OpenAPI document describes.
            raise RequestValidationError(
                [
                    {
                        "type": "missing_reference",
                        "loc": ("body", "appointment_id"),
                        "msg": "no Appointment with id "
                        + str(values["appointment_id"]),
                    }
                ]
            )


def list_visit_notes(
    session: Session,
    user: User | None,
    *,
    offset: int,
    limit: int,
    appointment_id: Any = None,
    visited_on: Any = None,
    visited_on__gte: Any = None,
    visited_on__lte: Any = None,
    sort: str | None = None,
) -> tuple[list[VisitNote], int]:
    conditions = [visible_visit_notes(user)]
    if appointment_id is not None:
        conditions.append(col(VisitNote.appointment_id) == appointment_id)
    if visited_on is not None:
        conditions.append(col(VisitNote.visited_on) == visited_on)
    if visited_on__gte is not None:
        conditions.append(col(VisitNote.visited_on) >= visited_on__gte)
    if visited_on__lte is not None:
        conditions.append(col(VisitNote.visited_on) <= visited_on__lte)
    total = session.scalar(
        select(func.count()).select_from(VisitNote).where(*conditions)
    )
    orders: dict[str, ColumnElement[Any]] = {
        "-visited_on": col(VisitNote.visited_on).desc(),
        "id": col(VisitNote.id).asc(),
    }
    first = orders[sort] if sort else col(VisitNote.visited_on).desc()
    order: list[ColumnElement[Any]] = [first, col(VisitNote.id).asc()]
    rows = session.scalars(
        select(VisitNote)
        .where(*conditions)
        .order_by(*order)
        .offset(offset)
        .limit(limit)
    )
    return list(rows.all()), total or 0


def get_visit_note(
    session: Session, user: User | None, visit_note_id: int
) -> VisitNote:
    """The visit note, if the caller may see it; else a 404, as if it did not exist."""
    visit_note = session.scalar(
        select(VisitNote).where(
            col(VisitNote.id) == visit_note_id, visible_visit_notes(user)
        )
    )
    if visit_note is None:
        raise HTTPException(
            status_code=404, detail=f"VisitNote {visit_note_id} not found"
        )
    return visit_note


def create_visit_note(session: Session, user: User, data: VisitNoteCreate) -> VisitNote:
    if not _has_role(session, user, ("doctor",)):
        raise HTTPException(status_code=403, detail="You may not create visit notes")
    values = data.model_dump()
    values["owner_id"] = user.id
    _check_references_visit_note(session, user, values)
    _check_unique_visit_note(session, values, None)
    visit_note = VisitNote(**values)
    session.add(visit_note)
    session.commit()
    session.refresh(visit_note)
    return visit_note


def update_visit_note(
    session: Session, user: User, visit_note_id: int, data: VisitNoteUpdate
) -> VisitNote:
    visit_note = get_visit_note(session, user, visit_note_id)
    _may_change_visit_note(user, visit_note, "update")
    changes = data.model_dump(exclude_unset=True)
    _check_references_visit_note(session, user, changes)
    _check_unique_visit_note(session, changes, visit_note)
    for name, value in changes.items():
        setattr(visit_note, name, value)
    session.commit()
    session.refresh(visit_note)
    return visit_note


def delete_visit_note(session: Session, user: User, visit_note_id: int) -> None:
    visit_note = get_visit_note(session, user, visit_note_id)
    _may_change_visit_note(user, visit_note, "delete")
    session.delete(visit_note)
    session.commit()
