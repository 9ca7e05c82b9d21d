"""Each request's use of the database (tutor/transactions.py), on SQLite and PostgreSQL."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from tutor.extensions import db
from tutor.models import Favourite
from tutor.transactions import WriteInReadingRequest, begin_writing, read_after_writing
from tutor.web import writes_after_reading, writes_database


def _stars() -> int:
    return db.session.scalar(select(func.count()).select_from(Favourite)) or 0


@pytest.fixture
def routes(app):
    """Test-only routes: a GET that writes without saying so, one that says so, and a POST that
    fails after writing."""
    from conftest import make_user
    user_id = make_user(app, "reader", "student")

    def star(question_id: str) -> None:
        db.session.add(Favourite(user_id=user_id, course_id="chapter8", question_id=question_id))
        db.session.flush()

    def sneaky() -> str:
        star("a")
        db.session.commit()
        return "written"

    @writes_database
    def declared() -> str:
        star("b")
        db.session.commit()
        return "written"

    def failing() -> str:
        star("c")
        raise RuntimeError("after the write")

    @writes_after_reading
    def hasty() -> str:
        star("d")                             # no begin_writing() first
        return "written"

    @writes_after_reading
    def half_done() -> str:
        _stars()
        begin_writing()
        star("e")
        star("f")
        raise RuntimeError("after two writes")

    @writes_after_reading
    def then_shown() -> str:
        _stars()
        begin_writing()
        star("g")
        db.session.commit()
        read_after_writing()
        shown = _stars()
        raw = db.session.connection().connection.dbapi_connection
        outside = raw.autocommit if db.engine.dialect.name == "postgresql" else not raw.in_transaction
        try:
            star("h")
        except WriteInReadingRequest:
            return f"{shown} outside={outside} refused"
        return f"{shown} outside={outside} written"

    app.add_url_rule("/test/then-shown", view_func=then_shown, methods=["POST"])
    app.add_url_rule("/test/hasty", view_func=hasty, methods=["POST"])
    app.add_url_rule("/test/half-done", view_func=half_done, methods=["POST"])
    app.add_url_rule("/test/sneaky", view_func=sneaky)
    app.add_url_rule("/test/declared", view_func=declared)
    app.add_url_rule("/test/failing", view_func=failing, methods=["POST"])
    return app


def test_a_get_that_writes_without_saying_so_is_refused(routes, client) -> None:
    with pytest.raises(WriteInReadingRequest):
        client.get("/test/sneaky")
    assert client.get("/test/declared").get_data(as_text=True) == "written"
    with routes.app_context():
        assert db.session.scalars(select(Favourite.question_id)).all() == ["b"]


def test_a_post_after_reads_is_one_transaction_again(routes, client) -> None:
    """Reads run in autocommit on PostgreSQL; a pooled connection must not carry that over."""
    for _ in range(3):                      # every pooled connection has served a GET
        assert client.get("/auth/login").status_code == 200
        with pytest.raises(RuntimeError):
            client.post("/test/failing")
    with routes.app_context():
        assert _stars() == 0                # the failed POST's write was rolled back


def test_a_view_that_reads_first_writes_in_one_transaction_on_sqlite(routes, client) -> None:
    """On SQLite its reads run outside a transaction: a write before begin_writing() is refused,
    and what it writes after is one transaction. (On PostgreSQL these views run in autocommit.)"""
    with routes.app_context():
        if db.engine.dialect.name != "sqlite":
            pytest.skip("PostgreSQL runs writes_after_reading views in autocommit")
    with pytest.raises(WriteInReadingRequest):
        client.post("/test/hasty")
    with pytest.raises(RuntimeError):
        client.post("/test/half-done")
    with routes.app_context():
        assert _stars() == 0


def test_what_a_view_reads_after_its_commit_runs_outside_a_transaction_and_cannot_write(routes, client) -> None:
    """read_after_writing: the feedback an answer shows is read as a GET reads (no BEGIN, and on
    PostgreSQL no ROLLBACK after), and nothing may be written by then."""
    assert client.post("/test/then-shown").get_data(as_text=True) == "1 outside=True refused"
    with routes.app_context():
        assert db.session.scalars(select(Favourite.question_id)).all() == ["g"]
