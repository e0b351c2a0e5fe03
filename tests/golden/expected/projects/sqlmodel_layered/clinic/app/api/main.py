from fastapi import APIRouter

from app.api.routes import clinic, items, login, users

api_router = APIRouter()
api_router.include_router(login.router)
api_router.include_router(users.router)
api_router.include_router(items.router)
api_router.include_router(clinic.router)
