"""All models, imported here so that Base.metadata is complete for Alembic."""

from app.db.base import Base
from app.models.budget import BudgetUserRole, Category, Expense, ExpenseKind
from app.models.project import Project, ProjectStatus
from app.models.user import User

__all__ = ["Base", "Project", "ProjectStatus", "User", "BudgetUserRole", "Category", "Expense", "ExpenseKind"]
