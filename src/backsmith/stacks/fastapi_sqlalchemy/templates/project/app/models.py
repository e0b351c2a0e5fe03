"""Every model module, imported so that `Base.metadata` knows every table.

Alembic and the tests import this module; a new feature's models are added here.
"""

from app.auth import models as auth_models
from app.core.db import Base

MODEL_MODULES = (auth_models,)

__all__ = ["MODEL_MODULES", "Base"]
