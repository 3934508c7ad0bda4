from fastapi import Request, Response

from api import schemas, stored_documents
from api.errors import RETRY_AFTER_SECONDS, ServiceUnavailable
from api.queries.health import schema_revision, stored_shape
from api.responses import document_response
from api.routes.common import DatabaseDep, resource_router
from api.schema_version import head_revision

router = resource_router("health")


@router.get("/healthz", response_model=schemas.Health, summary="Liveness: the process is up")
async def healthz(request: Request) -> Response:
    return document_response(request, {"status": "ok", "revision": None}, "no-store")


@router.get(
    "/readyz",
    response_model=schemas.Health,
    summary="Readiness: the database answers, its schema is at the latest migration and its "
    "stored documents are of this version's shape",
)
async def readyz(request: Request, db: DatabaseDep) -> Response:
    revision = await db.read(schema_revision)
    if revision != head_revision():
        raise ServiceUnavailable(
            f"The database schema is at {revision or 'no revision'}, not {head_revision()}: "
            "run `eventdb migrate`.",
            headers={"Retry-After": RETRY_AFTER_SECONDS},
        )
    if await db.read(stored_shape) != stored_documents.shape():
        raise ServiceUnavailable(
            "The documents of statements and events were stored by another version of eventdb, "
            "or not yet: run `eventdb migrate`.",
            headers={"Retry-After": RETRY_AFTER_SECONDS},
        )
    return document_response(request, {"status": "ready", "revision": revision}, "no-store")
