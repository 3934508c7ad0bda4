"""The interactive docs, offline: Swagger UI at /docs and ReDoc at /redoc.

Both come from the `fastapi-offline` package, which ships their files (Swagger UI 5, the first
major version that reads OpenAPI 3.1, and ReDoc 2). The API serves those files itself under
/static/swagger, so the pages work with no internet and load nothing from a CDN. Each page sets
its own Content-Security-Policy (`api.headers.docs_page_policy`); tests/test_docs_browser.py
opens both in Chromium.
"""

from functools import cache
from pathlib import Path

import fastapi_offline
from fastapi import FastAPI
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.responses import HTMLResponse, Response
from fastapi.staticfiles import StaticFiles

from api.headers import docs_page_policy

# swagger-ui-bundle.js, swagger-ui.css, redoc.standalone.js and favicon.png. (The URL keeps the
# name it had with the swagger-ui-bundle package: links to /static/swagger/… stay valid.)
ASSETS = Path(fastapi_offline.__file__).parent / "static"
ASSETS_URL = "/static/swagger"
REDOC_JS = "redoc.standalone.js"

SWAGGER_UI_PARAMETERS = {
    # No badge image from validator.swagger.io: the page fetches nothing from elsewhere.
    "validatorUrl": None,
    # Show how long each request sent from the page took.
    "displayRequestDuration": True,
}

# ReDoc draws its "API docs by Redocly" logo from a CDN, whatever its options say. The page's
# policy would block it (with an error in the console), so the bundle is served with that one
# URL replaced by an empty inline image; the text and its link stay.
REDOC_CDN_LOGO = b"https://cdn.redoc.ly/redoc/logo-mini.svg"
EMPTY_IMAGE = b"data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg'/%3E"


def install_docs(app: FastAPI) -> None:
    """Serve /docs (Swagger UI), /redoc (ReDoc) and their files. (`/` is the reading room's home
    page: api.pages.)"""
    openapi_url = app.openapi_url or "/openapi.json"

    @app.get("/docs", include_in_schema=False)
    def swagger_ui() -> HTMLResponse:
        page = get_swagger_ui_html(
            openapi_url=openapi_url,
            title=f"{app.title} API",
            swagger_js_url=f"{ASSETS_URL}/swagger-ui-bundle.js",
            swagger_css_url=f"{ASSETS_URL}/swagger-ui.css",
            swagger_favicon_url=f"{ASSETS_URL}/favicon.png",
            swagger_ui_parameters=SWAGGER_UI_PARAMETERS,
        )
        page.headers["Content-Security-Policy"] = docs_page_policy(bytes(page.body))
        return page

    @app.get("/redoc", include_in_schema=False)
    def redoc() -> HTMLResponse:
        page = get_redoc_html(
            openapi_url=openapi_url,
            title=f"{app.title} API reference",
            redoc_js_url=f"{ASSETS_URL}/{REDOC_JS}",
            redoc_favicon_url=f"{ASSETS_URL}/favicon.png",
            with_google_fonts=False,  # fonts from Google would be a CDN too
        )
        # ReDoc builds its search index in a web worker started from a blob: URL.
        page.headers["Content-Security-Policy"] = docs_page_policy(
            bytes(page.body), blob_workers=True
        )
        return page

    # Before the mount, which would otherwise answer for this file.
    @app.get(f"{ASSETS_URL}/{REDOC_JS}", include_in_schema=False)
    def redoc_js() -> Response:
        return Response(redoc_bundle(), media_type="text/javascript; charset=utf-8")

    app.mount(ASSETS_URL, StaticFiles(directory=ASSETS), name="docs-assets")


@cache
def redoc_bundle() -> bytes:
    """ReDoc's bundle as fastapi-offline ships it, less the CDN logo (read once)."""
    return (ASSETS / REDOC_JS).read_bytes().replace(REDOC_CDN_LOGO, EMPTY_IMAGE)
