from fastapi import Request, Response
from sqlalchemy import text

from api import schemas
from api.errors import ERROR_RESPONSES, Problem
from api.migrations import current_revision, head_revision
from api.responses import render
from api.routes.common import resource_router

router = resource_router("health")


@router.get("/healthz", response_model=schemas.Health, summary="Liveness: the process is up")
def healthz(request: Request) -> Response:
    return render(request, schemas.Health(status="ok"), None, cache_control="no-store")


@router.get(
    "/readyz",
    response_model=schemas.Health,
    responses=ERROR_RESPONSES,
    summary="Readiness: the database answers and its schema is at the latest migration",
)
def readyz(request: Request) -> Response:
    with request.app.state.engine.connect() as connection:
        connection.execute(text("SELECT 1"))
        revision = current_revision(connection)
    if revision != head_revision():
        raise Problem(
            503,
            "Service unavailable",
            f"The database schema is at {revision or 'no revision'}, not {head_revision()}: "
            "run `eventdb migrate`.",
        )
    health = schemas.Health(status="ready", revision=revision)
    return render(request, health, None, cache_control="no-store")
