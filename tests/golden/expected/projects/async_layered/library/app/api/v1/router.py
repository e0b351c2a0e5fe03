from fastapi import APIRouter

from app.api.v1.endpoints import auth, library, projects

api_router = APIRouter()
api_router.include_router(auth.router)
api_router.include_router(projects.router)
api_router.include_router(library.router)
