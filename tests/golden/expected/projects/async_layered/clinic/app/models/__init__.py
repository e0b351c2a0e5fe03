"""All models, imported here so that Base.metadata is complete for Alembic."""

from app.db.base import Base
from app.models.clinic import Appointment, AppointmentStatus, ClinicUserRole, Doctor, DoctorSpecialty, VisitNote
from app.models.project import Project, ProjectStatus
from app.models.user import User

__all__ = [
    "Base",
    "Project",
    "ProjectStatus",
    "User",
    "Appointment",
    "AppointmentStatus",
    "ClinicUserRole",
    "Doctor",
    "DoctorSpecialty",
    "VisitNote",
]
