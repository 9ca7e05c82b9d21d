"""Practice in place (docs/one-request.md): with inplace.js, the question and feedback pages are
fetched as their card alone (the <section> under <main>), and the answer's POST answers with the
feedback card instead of a redirect, followed by the next question's card, so a question costs
one request, not three. Without the script nothing changes: the same URLs give whole pages and
the POST redirects.

The script asks with the FRAGMENT request header; a card's response names the URL it belongs at
(FRAGMENT_URL, for history.pushState), and where a whole page would redirect, a fragment request
gets 204 with NAVIGATE, and the script loads that page (flash messages and all)."""
from __future__ import annotations

from typing import Any, NamedTuple

from flask import Response, redirect, render_template, request
from werkzeug.wrappers import Response as BaseResponse

FRAGMENT = "X-Fragment"
FRAGMENT_URL = "X-Fragment-Url"
NAVIGATE = "X-Fragment-Navigate"


def wanted() -> bool:
    return request.headers.get(FRAGMENT) == "1"


class PageAddress(NamedTuple):
    """`request` for the partials that link back to "this page" (the 收藏 and 笔记 forms'
    `next`): a card answering the POST to /answer is shown at the feedback's URL, not there."""

    path: str
    full_path: str
    query_string: bytes


def at(url: str) -> PageAddress:
    return PageAddress(url, url + "?", b"")


class Ahead(NamedTuple):
    """The question card that comes with a feedback card, for its 下一题: its URL and context."""

    url: str
    context: dict[str, Any]


def page(name: str, url: str, ahead: Ahead | None = None, **context: Any) -> Response:
    """practice/<name>.html, or its card practice/_<name>_card.html to a fragment request. The
    card carries its URL (`data-url`): a page whose address and card disagree reloads itself.
    `ahead`: to a fragment request, the next question's card follows, inert in a <template>."""
    context["card_url"] = url
    if wanted():
        body = render_template(f"practice/_{name}_card.html", **context)
        if ahead is not None:
            body += render_template("practice/_ahead.html", card_url=ahead.url, **ahead.context)
        response = Response(body)
        response.headers[FRAGMENT_URL] = url
    else:
        response = Response(render_template(f"practice/{name}.html", **context))
    response.vary.add(FRAGMENT)     # one URL, two bodies: a cache must keep them apart
    return response


def go(url: str) -> BaseResponse:
    """A redirect, or to a fragment request the page to load instead of a card."""
    if not wanted():
        return redirect(url)
    response = Response(status=204)
    response.headers[NAVIGATE] = url
    response.vary.add(FRAGMENT)
    return response


def refused(message: str) -> Response:
    """An answer the form refuses (nothing chosen, a blank left empty): the whole page flashes
    the message on the question page; in place it is shown by the form, the choice kept."""
    return Response(render_template("practice/_refused.html", message=message), status=400)
