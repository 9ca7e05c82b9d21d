"""Templates' url_for (tutor/links.py): the links that take no value are built once per script
root and kept; they must be the links Flask builds, wherever the app is mounted, and every
other link must still be built from its values."""
from __future__ import annotations

import re

from conftest import register, start_set


def _links(page: str) -> list[str]:
    return re.findall(r'(?:href|src|action|data-worker)="([^"]+)"', page)


def test_kept_links_follow_the_script_root_the_app_is_mounted_at(app, client) -> None:
    register(client)
    client.get("/")     # its welcome line shown once
    at_root = client.get("/").get_data(as_text=True)
    mounted = client.get("/", base_url="http://localhost/school/").get_data(as_text=True)
    assert '<link rel="stylesheet" href="/static/style.css">' in at_root
    assert '<link rel="stylesheet" href="/school/static/style.css">' in mounted
    assert '<a class="brand" href="/school/">' in mounted and '<a href="/school/progress/">我的进度</a>' in mounted
    # the same page at the root again: nothing of the mounted one was kept for it
    assert client.get("/").get_data(as_text=True) == at_root
    ours, theirs = _links(at_root), _links(mounted)
    assert len(ours) == len(theirs) > 20
    assert all(theirs[i] == "/school" + link for i, link in enumerate(ours) if link.startswith("/")), \
        [(a, b) for a, b in zip(ours, theirs) if b != "/school" + a]


def test_kept_links_are_the_links_flask_builds(app, client) -> None:
    register(client)
    page = client.get("/").get_data(as_text=True)
    with app.test_request_context("/"):
        for endpoint in ("study.home", "search.index", "exam.index", "progress.mine", "account.index",
                         "auth.logout", "pwa.manifest"):
            assert f'"{app.url_for(endpoint)}"' in page, endpoint
        for name in ("style.css", "theme.css", "pwa.js", "favicon.svg"):
            assert f'"{app.url_for("static", filename=name)}"' in page, name


def test_links_with_values_are_built_each_time(app, client) -> None:
    register(client)
    first, second = start_set(client), start_set(client, "kp", "survey.content")
    assert first != second
    for set_id in (first, second):
        card = client.get(f"/practice/{set_id}").get_data(as_text=True)
        assert f'action="/practice/{set_id}/answer"' in card
