"""Accounts: register, log in, log out, roles, safe `next`, CSRF, and the user command."""
from __future__ import annotations

from sqlalchemy import select

from tutor.extensions import db
from tutor.models import User
from tutor.web import safe_next

from conftest import PASSWORD, login, make_app, register


def test_register_logs_in_and_hashes_password(app, client) -> None:
    response = register(client, "小明")
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert "我的进度" in client.get("/").get_data(as_text=True)
    with app.app_context():
        user = db.session.scalar(select(User).where(User.username == "小明"))
        assert user.role == "student"
        assert PASSWORD not in user.password_hash and user.check_password(PASSWORD)


def test_register_rejects_duplicates_and_short_passwords(client) -> None:
    register(client, "xiaoming")
    client.post("/auth/logout")
    page = register(client, "XiaoMing").get_data(as_text=True)
    assert "这个用户名已被注册" in page
    page = register(client, "other", "short").get_data(as_text=True)
    assert "密码至少 8 个字符" in page


def test_login_logout(client) -> None:
    register(client, "xiaoming")
    client.post("/auth/logout")
    assert client.get("/progress/").status_code == 302
    assert "用户名或密码不正确" in login(client, "xiaoming", "wrong password").get_data(as_text=True)
    assert login(client, "xiaoming").status_code == 302
    assert client.get("/progress/").status_code == 200


def test_next_only_redirects_within_the_site(client) -> None:
    register(client, "xiaoming")
    client.post("/auth/logout")
    for evil in ("https://evil.example/", "//evil.example/", "/\\evil.example", "javascript:alert(1)"):
        response = client.post(f"/auth/login?next={evil}", data={"username": "xiaoming", "password": PASSWORD})
        assert response.headers["Location"] == "/", evil
        client.post("/auth/logout")
    response = client.post("/auth/login?next=/progress/", data={"username": "xiaoming", "password": PASSWORD})
    assert response.headers["Location"] == "/progress/"


def test_safe_next() -> None:
    assert safe_next("/lessons/x#a") == "/lessons/x#a"
    assert safe_next("http://evil") is None and safe_next("//evil") is None and safe_next("evil") is None


def test_csrf_is_enforced(tmp_path) -> None:
    app = make_app(tmp_path, WTF_CSRF_ENABLED=True)
    client = app.test_client()
    response = client.post("/auth/register", data={"username": "x1", "password": PASSWORD, "confirm": PASSWORD})
    assert response.status_code == 400 and "表单已过期或无效" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(User)) is None
    assert client.post("/auth/logout").status_code == 400
    page = client.get("/auth/register").get_data(as_text=True)
    token = page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    response = client.post("/auth/register", data={"username": "x1", "password": PASSWORD,
                                                   "confirm": PASSWORD, "csrf_token": token})
    assert response.status_code == 302
    with app.app_context():
        db.drop_all()


def test_user_create_command_prompts_for_password(app, runner) -> None:
    result = runner.invoke(args=["user", "create", "--instructor", "laoshi"], input=f"{PASSWORD}\n{PASSWORD}\n")
    assert result.exit_code == 0, result.output
    result = runner.invoke(args=["user", "create", "laoshi"], input=f"{PASSWORD}\n{PASSWORD}\n")
    assert result.exit_code != 0 and "已存在" in result.output
    with app.app_context():
        user = db.session.scalar(select(User).where(User.username == "laoshi"))
        assert user.is_instructor and user.check_password(PASSWORD)


def test_instructor_pages_refuse_students(app, client) -> None:
    assert client.get("/instructor/").status_code == 302
    register(client, "xiaoming")
    assert client.get("/instructor/").status_code == 403
    assert client.get("/instructor/content").status_code == 403


def test_disable_and_export_commands(app, client, runner) -> None:
    import json
    register(client, "exportme")
    from conftest import answer_form, current_delivery, start_set
    set_id = start_set(client)
    client.get(f"/practice/{set_id}")
    delivery = current_delivery(app, set_id)
    q = app.extensions["tutor_content"].catalog.course("chapter8").by_id[delivery.question_id]
    client.post(f"/practice/{set_id}/answer", data={"delivery": delivery.id, **answer_form(q, delivery.layout)})
    result = runner.invoke(args=["user", "export", "exportme"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["user"]["username"] == "exportme" and len(data["attempts"]) == 1
    assert "password_hash" not in result.output and "session_token" not in result.output
    assert runner.invoke(args=["user", "disable", "exportme"]).exit_code == 0
    assert client.get("/progress/").status_code == 302
    assert runner.invoke(args=["user", "enable", "exportme"]).exit_code == 0


def test_user_password_command_resets_a_forgotten_password(app, client, runner) -> None:
    from conftest import login
    register(client, "forgetful")
    assert client.get("/progress/").status_code == 200
    new = "绿茶 和 咖啡 2026"
    assert runner.invoke(args=["user", "password", "nobody"], input=f"{new}\n{new}\n").exit_code == 1
    weak = runner.invoke(args=["user", "password", "FORGETFUL"], input="12345678\n12345678\n")
    assert weak.exit_code == 1 and login(app.test_client(), "forgetful").status_code == 302
    result = runner.invoke(args=["user", "password", "FORGETFUL"], input=f"{new}\n{new}\n")
    assert result.exit_code == 0, result.output
    assert client.get("/progress/").status_code == 302          # the old session has ended
    fresh = app.test_client()
    assert login(fresh, "forgetful").status_code == 200        # the old password is refused
    assert login(fresh, "forgetful", new).status_code == 302 and fresh.get("/progress/").status_code == 200
