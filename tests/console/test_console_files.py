"""The console's file serving alone (no server, no browser): which requests are its, and
that it serves nothing but its own files."""

from __future__ import annotations

from pathlib import Path

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route, request_response
from starlette.testclient import TestClient

from sensorium.console.files import CONTENT_SECURITY_POLICY, console_routes


async def api(request: Request) -> Response:
    return PlainTextResponse(f"api {request.method} {request.url.path}", status_code=403)


def client(root: Path) -> TestClient:
    (root / "assets").mkdir(parents=True)
    (root / "index.html").write_text("<!doctype html><title>console</title>")
    (root / "assets" / "app-1234.js").write_text("console.log(1)")
    (root.parent / "secret.txt").write_text("not for the console")
    routes = [*console_routes(request_response(api), root), Route("/{path:path}", api)]
    return TestClient(Starlette(routes=routes), follow_redirects=False)


def test_console_serves_only_its_files_with_their_types(tmp_path: Path) -> None:
    web = client(tmp_path / "static")
    index = web.get("/console/")
    assert index.text.startswith("<!doctype html>")
    assert index.headers["content-type"] == "text/html; charset=utf-8"
    assert index.headers["cache-control"] == "no-cache"
    script = web.get("/console/assets/app-1234.js")
    assert script.headers["content-type"] == "text/javascript; charset=utf-8"
    assert "immutable" in script.headers["cache-control"]
    assert script.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
    assert web.head("/console/index.html").status_code == 200
    for outside in ("/console/../secret.txt", "/console/%2e%2e/secret.txt", "/console/nothing"):
        answer = web.get(outside)
        assert "not for the console" not in answer.text
    assert web.get("/console/%2e%2e/secret.txt").status_code == 404


def test_console_hands_signed_requests_and_writes_to_the_api(tmp_path: Path) -> None:
    web = client(tmp_path / "static")
    signed = web.get("/console/index.html", headers={"Authorization": "AWS4-HMAC-SHA256 ..."})
    assert signed.text == "api GET /console/index.html"
    presigned = web.get("/console/index.html?X-Amz-Signature=abc&X-Amz-Credential=k")
    assert presigned.text == "api GET /console/index.html"
    assert web.post("/console/").text == "api POST /console/"
    assert web.put("/console").text == "api PUT /console"
    assert web.get("/consoles").text == "api GET /consoles"  # another bucket's name
    moved = web.get("/console")
    assert moved.status_code == 308 and moved.headers["location"] == "/console/"
