"""All models, imported here so that Base.metadata is complete for Alembic."""

from app.db.base import Base
from app.models.library import Author, Book, BookFormat, LibraryUserRole, Loan, Review
from app.models.project import Project, ProjectStatus
from app.models.user import User

__all__ = [
    "Base",
    "Project",
    "ProjectStatus",
    "User",
    "Author",
    "Book",
    "BookFormat",
    "LibraryUserRole",
    "Loan",
    "Review",
]
