"""The FastAPI application: settings → engine → routers, error format, CORS and docs."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import anyio.to_thread
import swagger_ui_bundle
from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles
from sqlalchemy.orm import sessionmaker

from api.cache import ResponseCacheMiddleware
from api.db import create_db_engine
from api.errors import install_error_handlers
from api.headers import HeadAsGetMiddleware, SecurityHeadersMiddleware, swagger_ui_policy
from api.loader import load, seed_files
from api.migrations import upgrade
from api.routes import ROUTERS
from api.settings import Settings, get_settings

DESCRIPTION = """
A read-only API over a structured database of news events: who the actors are, who met whom where
and when, who said what, the terms of a proposal and where each actor stands on each term.

**Every fact carries its evidence**: the source, the character span and the exact text of the
article that supports it, so it can be checked before it is printed.

* Lists take filters, `limit` (default 50, max 500) and a `cursor` (follow `next_cursor`, or the
  `Link: rel="next"` header); they never skip or repeat an item.
* Actor parameters (`speaker`, `actor`, `affiliation`) take a slug, a name or any alias, in any
  case and with or without accents: `speaker=sisi`.
* `from` / `to` are inclusive ISO dates; a fact dated only to a week or a month matches a range
  that overlaps its period, and undated facts match no range.
* `q` is full-text search: every word must match (as a prefix), "quoted phrases" match whole.
* `format=csv` (or `Accept: text/csv`) answers the same query as a spreadsheet.
* Errors are `application/problem+json` with a sentence that says what to change.
"""


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        # The endpoints run in worker threads; their work is CPU-bound Python, so more threads
        # than cores only contend for the GIL (see Settings.threads).
        anyio.to_thread.current_default_thread_limiter().total_tokens = settings.threads
        yield

    app = FastAPI(
        lifespan=lifespan,
        title="eventdb",
        version="0.1.0",
        summary="News events, statements and positions, each with its evidence.",
        description=DESCRIPTION,
        docs_url=None,
        redoc_url=None,
        # Readable operation ids for generated clients: `list_statements`, `get_actor`…
        generate_unique_id_function=lambda route: route.name,
    )
    engine = create_db_engine(
        settings.database_url, settings.pool_timeout, settings.connect_timeout
    )
    app.state.engine = engine
    app.state.sessionmaker = sessionmaker(engine, expire_on_commit=False)

    install_error_handlers(app)
    # Innermost: a cached answer still gets this request's CORS and security headers.
    app.add_middleware(ResponseCacheMiddleware, seconds=settings.cache_seconds)
    app.add_middleware(
        CORSMiddleware,
        allow_origins=settings.cors_origins,
        allow_methods=["GET", "HEAD", "OPTIONS"],
        allow_headers=["*"],
        expose_headers=["Link", "ETag"],
    )
    app.add_middleware(SecurityHeadersMiddleware)
    app.add_middleware(HeadAsGetMiddleware)
    for router in ROUTERS:
        app.include_router(router)
    _serve_docs_offline(app)
    return app


def _serve_docs_offline(app: FastAPI) -> None:
    """Swagger UI from the swagger-ui-bundle package: /docs works with no internet."""
    app.mount(
        "/static/swagger",
        StaticFiles(directory=Path(swagger_ui_bundle.swagger_ui_path)),
        name="swagger",
    )

    @app.get("/", include_in_schema=False)
    def home() -> RedirectResponse:
        return RedirectResponse("/docs")

    @app.get("/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        page = get_swagger_ui_html(
            openapi_url="/openapi.json",
            title="eventdb API",
            swagger_js_url="/static/swagger/swagger-ui-bundle.js",
            swagger_css_url="/static/swagger/swagger-ui.css",
            swagger_favicon_url="/static/swagger/favicon-32x32.png",
        )
        page.headers["Content-Security-Policy"] = swagger_ui_policy(bytes(page.body))
        return page


def prepare_database(settings: Settings) -> None:
    """Before serving SQLite (the zero-setup default): migrate and seed it. Seeding is a no-op
    when the seed files have not changed, and picks up the new data when they have."""
    engine = create_db_engine(settings.database_url)
    if engine.dialect.name == "sqlite":
        upgrade(engine)
        load(engine, seed_files(settings.seed_dir))
    engine.dispose()
