from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from app.auth.router import router as auth_router
from app.config import settings
from app.database import engine
from app.exceptions import DomainError
from app.inventory.router import router as inventory_router
from app.library.router import router as library_router


@asynccontextmanager
async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
    yield
    await engine.dispose()


app = FastAPI(title=settings.app_name, lifespan=lifespan)


@app.exception_handler(DomainError)
async def domain_error_handler(_request: Request, exc: DomainError) -> JSONResponse:
    return JSONResponse(
        status_code=exc.status_code, content={"detail": exc.message}, headers=exc.headers
    )


app.include_router(auth_router, prefix="/auth", tags=["auth"])
app.include_router(inventory_router, prefix="/inventory", tags=["inventory"])
app.include_router(library_router, prefix="/library", tags=["library"])
