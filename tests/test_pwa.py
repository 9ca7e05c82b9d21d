"""The installable app (docs/offline.md): the manifest and its icons, the service worker's script
and headers, its version following the static files, what it may store, and the CSP allowing both."""
from __future__ import annotations

import json
import re
import shutil
import struct
from pathlib import Path

from tutor import pwa

from conftest import register

STATIC = Path(pwa.__file__).resolve().parent / "static"


def png_size(data: bytes) -> tuple[int, int, int]:
    """Width, height and colour type from a PNG's IHDR chunk."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR"
    width, height = struct.unpack(">II", data[16:24])
    return width, height, data[25]


def css_colour(name: str) -> str:
    return re.search(rf"--{name}:\s*(#[0-9a-fA-F]{{3,6}})", (STATIC / "style.css").read_text()).group(1)


def worker_constant(script: str, name: str) -> object:
    return json.loads(re.search(rf"^const {name} = (.+);$", script, re.M).group(1))


def test_manifest(client) -> None:
    response = client.get("/manifest.webmanifest")
    assert response.status_code == 200 and response.mimetype == "application/manifest+json"
    manifest = json.loads(response.get_data(as_text=True))
    assert manifest["name"] == "外贸业务员考试辅导" and 0 < len(manifest["short_name"]) <= 12
    assert manifest["start_url"] == "/" and manifest["scope"] == "/" and manifest["display"] == "standalone"
    assert manifest["lang"] == "zh-CN"
    assert manifest["theme_color"] == css_colour("brand") and manifest["background_color"] == css_colour("bg")
    sizes = {(icon["sizes"], icon["purpose"]) for icon in manifest["icons"]}
    assert {("192x192", "any"), ("512x512", "any"), ("512x512", "maskable"), ("any", "any")} <= sizes


def test_icons_are_served_with_their_type_and_size(client) -> None:
    manifest = json.loads(client.get("/manifest.webmanifest").get_data(as_text=True))
    for icon in manifest["icons"]:
        response = client.get(icon["src"])
        assert response.status_code == 200 and response.mimetype == icon["type"], icon
        if icon["type"] == "image/png":
            width, height, _ = png_size(response.data)
            assert f"{width}x{height}" == icon["sizes"], icon
        else:
            assert response.data.lstrip().startswith(b"<svg")
    apple = client.get("/static/apple-touch-icon.png")
    assert apple.mimetype == "image/png"
    # 180 px, and opaque (colour type 2, RGB): iOS paints transparent corners black
    assert png_size(apple.data) == (180, 180, 2)


def test_every_page_links_the_manifest_icons_and_worker(client) -> None:
    for html in (client.get("/").get_data(as_text=True),
                 client.get("/courses/chapter8/lessons/survey").get_data(as_text=True)):
        assert '<link rel="manifest" href="/manifest.webmanifest">' in html
        assert '<link rel="apple-touch-icon" href="/static/apple-touch-icon.png">' in html
        assert 'href="/static/icon-192.png" type="image/png" sizes="192x192"' in html
        assert f'<meta name="theme-color" content="{css_colour("brand")}">' in html
        assert '<script src="/static/pwa.js" data-worker="/sw.js" defer></script>' in html
    register(client, "xiaoming")
    assert 'data-worker="/sw.js"' in client.get("/").get_data(as_text=True)


def test_worker_script_and_headers(client) -> None:
    response = client.get("/sw.js")
    assert response.status_code == 200 and response.mimetype == "text/javascript"
    assert response.headers["Service-Worker-Allowed"] == "/"
    # a browser always asks the server for the worker, so a deploy reaches it at once
    assert response.headers["Cache-Control"] == "no-store"
    script = response.get_data(as_text=True)
    assert re.fullmatch(r"[0-9a-f]{16}", worker_constant(script, "VERSION"))
    precache = worker_constant(script, "PRECACHE")
    assert worker_constant(script, "OFFLINE") == "/offline" and "/offline" in precache
    # the app shell: every static file, and nothing else but the offline page
    assert {url for url in precache if url != "/offline"} == {
        f"/static/{path.name}" for path in STATIC.iterdir() if path.is_file() and not path.name.startswith(".")}
    for url in precache:
        assert client.get(url).status_code == 200, url
    assert "unsafe" not in script and "eval(" not in script


def test_worker_stores_lessons_only_never_a_question_feedback_or_report(client) -> None:
    """The worker stores pages only when its LESSON pattern matches: a lesson, never a practice
    question, its feedback (key and 解析), an exam, a report or a POST."""
    script = client.get("/sw.js").get_data(as_text=True)
    lesson = re.compile(re.search(r"^const LESSON = /(.+)/;$", script, re.M).group(1).replace("\\/", "/"))
    assert lesson.match("/courses/chapter8/lessons/survey")
    for path in ("/", "/practice/1", "/practice/1/0", "/practice/1/answer", "/practice/1/summary", "/exams/1/item/0",
                 "/progress/", "/instructor/students", "/assignments/1/report", "/classes/1",
                 "/courses/chapter8/lessons/survey/x", "/offline"):
        assert not lesson.match(path), path
    assert 'request.method !== "GET"' in script     # a POST is never answered from (or put into) a cache


def test_lesson_copy_as_the_worker_fetches_it_holds_nothing_personal(app, client) -> None:
    """The worker stores a lesson fetched without cookies: what anyone sees, no token, no name."""
    anonymous = app.test_client()
    register(client, "xiaoming")
    signed_in = client.get("/courses/chapter8/lessons/survey").get_data(as_text=True)
    assert "xiaoming" in signed_in and "csrf_token" in signed_in     # why it is not the copy stored
    copy = anonymous.get("/courses/chapter8/lessons/survey").get_data(as_text=True)
    assert "xiaoming" not in copy and "csrf_token" not in copy and "退出" not in copy


def test_offline_page(client) -> None:
    register(client, "xiaoming")
    response = client.get("/offline")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<h1>网络已断开</h1>" in html and "已缓存的课文" in html
    assert 'data-cached-lessons data-cache="lessons-v1"' in html
    # the same page for everyone: no name, no form, no token, even asked for with a session
    assert "xiaoming" not in html and "csrf_token" not in html and "<form" not in html


def test_version_changes_when_a_static_file_changes(app, tmp_path: Path) -> None:
    static = tmp_path / "static"
    shutil.copytree(STATIC, static)
    app.static_folder = str(static)
    client = app.test_client()
    first = worker_constant(client.get("/sw.js").get_data(as_text=True), "VERSION")
    assert worker_constant(client.get("/sw.js").get_data(as_text=True), "VERSION") == first
    style = static / "style.css"
    style.write_text(style.read_text() + "\n/* a deploy */\n")
    second = worker_constant(client.get("/sw.js").get_data(as_text=True), "VERSION")
    assert second != first
    (static / "new.js").write_text("// a new file\n")
    script = client.get("/sw.js").get_data(as_text=True)
    assert worker_constant(script, "VERSION") not in (first, second)
    assert "/static/new.js" in worker_constant(script, "PRECACHE")


def test_csp_allows_the_worker_and_the_manifest(client) -> None:
    for path in ("/", "/sw.js", "/manifest.webmanifest", "/offline"):
        csp = client.get(path).headers["Content-Security-Policy"]
        directives = dict(part.strip().split(" ", 1) for part in csp.split(";"))
        assert directives["worker-src"] == "'self'" and directives["manifest-src"] == "'self'", path
        assert directives["script-src"] == "'self'" and "unsafe-inline" not in csp, path
