"""Serving the console's files, with the headers that confine what the page may do."""

from __future__ import annotations

from pathlib import Path

from starlette.requests import Request
from starlette.responses import FileResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Route
from starlette.types import ASGIApp, Receive, Scope, Send

STATIC = Path(__file__).parent / "static"
PREFIX = "/console"

# The page loads only its own files and talks only to this server: no inline script or
# style, no other origin, not framed. blob: and data: carry the photos and audio it makes.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "connect-src 'self'",
        "img-src 'self' blob: data:",
        "media-src 'self' blob:",
        "font-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
}
# Set here rather than guessed from the platform's MIME table: under nosniff, a module
# script or a stylesheet served with the wrong type is refused.
MEDIA_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".json": "application/json",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".ico": "image/x-icon",
    ".woff2": "font/woff2",
}
# Vite names every asset by its content's hash: a name never changes meaning.
IMMUTABLE = "public, max-age=31536000, immutable"


class Console:
    """The ASGI app behind ``/console`` and ``/console/...``.

    Only an unsigned GET or HEAD is the console's: a signed request (S3 on a bucket named
    "console", say) or any other method goes to ``api``, which verifies it as it verifies
    every request. The console answers nothing the API would have answered to the same
    unsigned request, except its own files.
    """

    def __init__(self, api: ASGIApp, root: Path = STATIC) -> None:
        self.api = api
        self.files = {
            path.relative_to(root).as_posix(): path for path in root.rglob("*") if path.is_file()
        }

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope)
        if request.method not in ("GET", "HEAD") or _signed(request):
            await self.api(scope, receive, send)
            return
        await self.response(request.url.path)(scope, receive, send)

    def response(self, path: str) -> Response:
        if path == PREFIX:
            return _secured(RedirectResponse(f"{PREFIX}/", status_code=308))
        name = path.removeprefix(f"{PREFIX}/") or "index.html"
        found = self.files.get(name)
        if found is None:
            if not self.files:
                message = "The console is not built: run `make console` in the source tree."
                return _secured(PlainTextResponse(message, status_code=404))
            return _secured(PlainTextResponse("Not found.", status_code=404))
        cache = "no-cache" if name == "index.html" else IMMUTABLE
        media_type = MEDIA_TYPES.get(found.suffix, "application/octet-stream")
        return _secured(
            FileResponse(found, media_type=media_type, headers={"Cache-Control": cache})
        )


def console_routes(api: ASGIApp, root: Path = STATIC) -> list[BaseRoute]:
    """The routes to place before the API's catch-all route."""
    console = Console(api, root)
    return [Route(PREFIX, console), Route(f"{PREFIX}/{{path:path}}", console)]


def _signed(request: Request) -> bool:
    """A request carrying any form of AWS signature: a header, or a presigned URL's query."""
    if "authorization" in request.headers:
        return True
    return any(name.lower().startswith("x-amz-") for name in request.query_params)


def _secured(response: Response) -> Response:
    response.headers.update(SECURITY_HEADERS)
    return response
