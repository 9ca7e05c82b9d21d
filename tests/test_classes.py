"""班级 (issue 18): roles, classes, join codes, roster import, and teachers seeing only the
students of the classes they teach, through the real app and database."""
from __future__ import annotations

import io
import re

import pytest
from sqlalchemy import func, select

from conftest import PASSWORD, login, make_class, make_user, register, reset_database, make_app
from tutor.extensions import db
from tutor.models import ClassMember, SchoolClass, User


def user_id(app, name: str) -> int:
    with app.app_context():
        return db.session.scalar(select(User.id).where(User.username == name))


def members(app, class_id: int) -> dict[str, str]:
    with app.app_context():
        return dict(db.session.execute(select(User.username, ClassMember.role).join(
            ClassMember, ClassMember.user_id == User.id).where(ClassMember.class_id == class_id)).all())


def client_as(app, name: str):
    client = app.test_client()
    assert login(client, name).status_code == 302
    return client


@pytest.fixture
def school(app):
    """owner teaches 1班 (alice; helper assists), outsider teaches 2班 (bob); carol is in no class."""
    for name in ("alice", "bob", "carol"):
        make_user(app, name, "student")
    for name in ("owner", "helper", "outsider"):
        make_user(app, name, "instructor")
    first, code = make_class(app, "owner", "1班", students=("alice",), assistants=("helper",))
    second, _ = make_class(app, "outsider", "2班", students=("bob",))
    return {"first": first, "second": second, "code": code}


def test_a_teacher_creates_a_class_and_students_join_by_code_and_link(app) -> None:
    make_user(app, "owner", "instructor")
    owner = client_as(app, "owner")
    assert "你还没有班级" in owner.get("/instructor/").get_data(as_text=True)   # empty state → 创建班级
    response = owner.post("/classes/", data={"name": "外贸 2026 春", "course": "chapter8"})
    class_id = int(re.search(r"/classes/(\d+)$", response.headers["Location"]).group(1))
    page = owner.get(f"/classes/{class_id}").get_data(as_text=True)
    code = re.search(r'<p class="joincode" aria-label="加入码">([A-Z0-9]+)</p>', page).group(1)
    assert len(code) == 9 and not set(code) & set("01OIL")
    assert f"/classes/join?code={code}" in page
    svg = owner.get(f"/classes/{class_id}/qr.svg")
    assert svg.mimetype == "image/svg+xml" and b"<svg" in svg.data

    # a logged-out visitor following the link registers and comes back to the filled-in form
    visitor = app.test_client()
    link = f"/classes/join?code={code}"
    to_login = visitor.get(link).headers["Location"]
    assert "/auth/login" in to_login and "next=" in to_login
    login_page = visitor.get(to_login).get_data(as_text=True)
    register_link = re.search(r'href="(/auth/register\?next=[^"]*)"', login_page).group(1).replace("&amp;", "&")
    registered = visitor.post(register_link, data={"username": "dave", "password": PASSWORD, "confirm": PASSWORD})
    assert registered.headers["Location"] == link
    assert f'value="{code}"' in visitor.get(link).get_data(as_text=True)
    # typed by hand: lower case, spaces and dashes are forgiven
    typed = f"{code[:3].lower()} {code[3:6]}-{code[6:]}"
    assert visitor.post("/classes/join", data={"code": typed}).status_code == 302
    assert members(app, class_id)["dave"] == "student"
    assert "<li>外贸 2026 春</li>" in visitor.get("/").get_data(as_text=True)

    # rotated: the old code stops working; disabled: no code works
    owner.post(f"/classes/{class_id}/code", data={"action": "rotate"})
    register(erin := app.test_client(), "erin")
    refused = erin.post("/classes/join", data={"code": code})
    assert refused.status_code == 200 and "加入码无效或已停用" in refused.get_data(as_text=True)
    owner.post(f"/classes/{class_id}/code", data={"action": "disable"})
    with app.app_context():
        assert db.session.get(SchoolClass, class_id).join_code is None
    assert owner.get(f"/classes/{class_id}/qr.svg").status_code == 404
    assert "erin" not in members(app, class_id)


def test_a_code_grants_only_the_student_role_and_teachers_cannot_join_with_it(app, school) -> None:
    helper = client_as(app, "outsider")
    page = helper.post("/classes/join", data={"code": school["code"]}).get_data(as_text=True)
    assert "教师账号不能以学生身份加入班级" in page
    assert "outsider" not in members(app, school["first"])
    carol = client_as(app, "carol")
    carol.post("/classes/join", data={"code": school["code"], "role": "teacher"})
    assert members(app, school["first"])["carol"] == "student"
    # a student can be in several classes
    with app.app_context():
        second_code = db.session.get(SchoolClass, school["second"]).join_code
    carol.post("/classes/join", data={"code": second_code})
    assert members(app, school["second"])["carol"] == "student"


def test_wrong_join_codes_are_rate_limited(tmp_path) -> None:
    app = make_app(tmp_path, RATELIMIT_ENABLED=True, TUTOR_JOIN_LIMIT="3 per minute")
    make_user(app, "owner", "instructor")
    make_user(app, "alice", "student")
    _, code = make_class(app, "owner")
    alice = client_as(app, "alice")
    statuses = [alice.post("/classes/join", data={"code": f"WRONG{n}"}).status_code for n in range(4)]
    assert statuses == [200, 200, 200, 429]
    assert alice.post("/classes/join", data={"code": code}).status_code == 429   # even the right one, for now
    with app.app_context():
        db.session.remove()
        db.drop_all()


def test_instructors_see_only_the_students_of_the_classes_they_teach(app, school) -> None:
    first, second = school["first"], school["second"]
    owner, helper, outsider = (client_as(app, n) for n in ("owner", "helper", "outsider"))
    alice_id, bob_id, carol_id = (user_id(app, n) for n in ("alice", "bob", "carol"))
    for path in ("/instructor/", "/instructor/heatmap", "/instructor/students.csv"):
        mine = owner.get(path).get_data(as_text=True)       # defaults to the owner's first class
        assert "alice" in mine and "bob" not in mine and "carol" not in mine, path
        assert "alice" in helper.get(path).get_data(as_text=True), path       # the co-teacher too
        theirs = outsider.get(path).get_data(as_text=True)
        assert "bob" in theirs and "alice" not in theirs, path
        # naming another teacher's class in the URL: as if it did not exist
        assert outsider.get(path, query_string={"class": first}).status_code == 404, path
        assert outsider.get(path, query_string={"class": "all"}).status_code == 404, path
    for path in ("/instructor/items", "/instructor/items.csv", "/instructor/review"):
        assert outsider.get(path, query_string={"class": first}).status_code == 404, path
        assert owner.get(path, query_string={"class": first}).status_code == 200, path
    # the links on a page keep the class
    assert f"class={first}" in owner.get("/instructor/", query_string={"class": first}).get_data(as_text=True)
    # per-student pages: the student's progress, as the id in the URL changes
    assert owner.get(f"/progress/{alice_id}").status_code == 200
    assert helper.get(f"/progress/{alice_id}").status_code == 200
    assert owner.get(f"/progress/{bob_id}").status_code == 403
    assert owner.get(f"/progress/{carol_id}").status_code == 403
    assert outsider.get(f"/progress/{alice_id}").status_code == 403
    # class pages and member actions of another teacher's class
    assert outsider.get(f"/classes/{first}").status_code == 404
    assert outsider.post(f"/classes/{first}/students/{alice_id}/remove").status_code == 404
    # moving alice into a class the owner does not teach is refused, and nothing changes
    assert owner.post(f"/classes/{first}/students/{alice_id}/move", data={"to": second}).status_code == 404
    assert members(app, first)["alice"] == "student" and "alice" not in members(app, second)
    # a student id that is not in this class, in a teacher's own class URL
    assert owner.post(f"/classes/{first}/students/{bob_id}/remove").status_code == 404
    assert "bob" in members(app, second)


def test_an_admin_sees_every_class_and_chooses_all(app, school) -> None:
    make_user(app, "root", "admin")
    root = client_as(app, "root")
    everyone = root.get("/instructor/").get_data(as_text=True)
    assert all(n in everyone for n in ("alice", "bob", "carol")) and "全部班级" in everyone
    one = root.get("/instructor/", query_string={"class": school["second"]}).get_data(as_text=True)
    assert "bob" in one and "alice" not in one
    assert root.get(f"/classes/{school['first']}").status_code == 200
    assert root.get(f"/progress/{user_id(app, 'carol')}").status_code == 200


def test_reports_are_cached_per_class(tmp_path) -> None:
    app = make_app(tmp_path, TUTOR_REPORT_CACHE_SECONDS=600)
    for name in ("alice", "bob"):
        make_user(app, name, "student")
    make_user(app, "owner", "instructor")
    first, _ = make_class(app, "owner", "1班", students=("alice",))
    second, _ = make_class(app, "owner", "2班", students=("bob",))
    owner = client_as(app, "owner")
    a = owner.get("/instructor/", query_string={"class": first}).get_data(as_text=True)
    b = owner.get("/instructor/", query_string={"class": second}).get_data(as_text=True)
    assert "alice" in a and "bob" not in a and "bob" in b and "alice" not in b
    keys = set(app.extensions["tutor_reports"]._reports)
    assert ("overview", "chapter8", f"class:{first}") in keys and ("overview", "chapter8", f"class:{second}") in keys
    with app.app_context():
        db.session.remove()
        db.drop_all()


ROSTER = "学号,姓名,初始密码\n20260001,张三,\n20260002,李四,绿茶和咖啡都要 2026\nalice,爱丽丝,\n"


def test_a_roster_is_previewed_then_added_in_one_go(app, school) -> None:
    first = school["first"]
    owner = client_as(app, "owner")
    with app.app_context():
        alice_hash = db.session.scalar(select(User.password_hash).where(User.username == "alice"))
    preview = owner.post(f"/classes/{first}/roster", data={"file": (io.BytesIO(ROSTER.encode("utf-8-sig")), "名单.csv")},
                         content_type="multipart/form-data").get_data(as_text=True)
    assert "新建账号" in preview and "已在班级中" in preview and "确认导入" in preview
    assert user_id(app, "20260001") is None                       # a preview writes nothing
    rows = re.search(r'name="rows" value="([^"]*)"', preview).group(1).replace("&#34;", '"').replace("&quot;", '"')
    done = owner.post(f"/classes/{first}/roster/confirm", data={"rows": rows}).get_data(as_text=True)
    generated = re.search(r"<th scope=\"row\">20260001</th><td>张三</td><td><code>([^<]+)</code>", done).group(1)
    assert "绿茶和咖啡都要 2026" in done and "只显示这一次" in done
    assert members(app, first)["20260001"] == "student" and members(app, first)["20260002"] == "student"
    with app.app_context():
        assert db.session.scalar(select(User.password_hash).where(User.username == "alice")) == alice_hash
        assert db.session.scalar(select(User.display_name).where(User.username == "20260001")) == "张三"
    # the passwords as CSV, once
    token = re.search(r'name="token" value="([^"]+)"', done).group(1)
    sheet = owner.post(f"/classes/{first}/roster/passwords.csv", data={"token": token})
    assert sheet.mimetype == "text/csv" and generated in sheet.data.decode("utf-8-sig")
    assert owner.post(f"/classes/{first}/roster/passwords.csv", data={"token": token}).status_code == 404
    # the new account must choose its own password before anything else
    student = app.test_client()
    landed = login(student, "20260001", generated)
    assert "/auth/password" in landed.headers["Location"]
    assert "/auth/password" in student.get("/exams/").headers["Location"]
    changed = student.post(landed.headers["Location"], data={"current": generated, "password": "我自己的 新密码 77",
                                                              "confirm": "我自己的 新密码 77"})
    assert changed.status_code == 302
    assert student.get("/exams/").status_code == 200 and "<li>1班</li>" in student.get("/").get_data(as_text=True)


def test_bad_rows_are_reported_by_row_number_and_nothing_is_written(app, school) -> None:
    from openpyxl import Workbook
    book = Workbook()
    sheet = book.active
    for row in (["学号", "姓名"], ["20260003", "王五"], ["x", "太短"], ["20260003", "重复"], [None, None],
                ["owner", "老师"], ["20260004", ""], ["20260005", "赵六", "123"]):
        sheet.append(row)
    data = io.BytesIO()
    book.save(data)
    owner = client_as(app, "owner")
    page = owner.post(f"/classes/{school['first']}/roster",
                      data={"file": (io.BytesIO(data.getvalue()), "roster.xlsx")},
                      content_type="multipart/form-data").get_data(as_text=True)
    for expected in ("第 3 行：学号须为 2 到 32 个字符", "第 4 行：学号与第 2 行重复", "第 6 行：这个学号是教师账号",
                     "第 7 行：缺少姓名", "第 8 行：初始密码：密码至少 8 个字符", "整份名单都没有导入"):
        assert expected in page, expected
    assert "确认导入" not in page
    # a forged confirm with the bad rows is checked again and writes nothing
    forged = '[[2, "20260003", "王五", ""], [6, "owner", "老师", ""]]'
    assert "整份名单都没有导入" in owner.post(f"/classes/{school['first']}/roster/confirm",
                                             data={"rows": forged}).get_data(as_text=True)
    assert user_id(app, "20260003") is None and "owner" in members(app, school["first"])
    assert members(app, school["first"])["owner"] == "teacher"


def test_co_teachers_archive_and_moving_students(app, school) -> None:
    first = school["first"]
    owner, helper = client_as(app, "owner"), client_as(app, "helper")
    # only instructors can be co-teachers
    owner.post(f"/classes/{first}/assistants", data={"username": "carol"})
    assert "carol" not in members(app, first)
    owner.post(f"/classes/{first}/assistants", data={"username": "OUTSIDER"})
    assert members(app, first)["outsider"] == "assistant"
    outsider = client_as(app, "outsider")
    assert outsider.get("/instructor/", query_string={"class": first}).status_code == 200
    # a co-teacher can neither archive nor remove the owner
    assert helper.post(f"/classes/{first}/archive").status_code == 403
    assert helper.post(f"/classes/{first}/assistants/{user_id(app, 'owner')}/remove").status_code == 403
    assert helper.post(f"/classes/{first}/assistants/{user_id(app, 'outsider')}/remove").status_code == 403
    # the owner moves alice to another of their classes
    owner.post("/classes/", data={"name": "3班", "course": "chapter8"})
    with app.app_context():
        third = db.session.scalar(select(SchoolClass.id).where(SchoolClass.name == "3班"))
    owner.post(f"/classes/{first}/students/{user_id(app, 'alice')}/move", data={"to": third})
    assert "alice" not in members(app, first) and members(app, third)["alice"] == "student"
    # archived: hidden from the list and from its students, read-only for its teachers
    alice = client_as(app, "alice")
    assert "<li>3班</li>" in alice.get("/").get_data(as_text=True)
    owner.post(f"/classes/{third}/archive")
    assert "<strong>3班</strong>" not in owner.get("/classes/").get_data(as_text=True)
    assert "<strong>3班</strong>" in owner.get("/classes/?archived=1").get_data(as_text=True)
    assert "<li>3班</li>" not in alice.get("/").get_data(as_text=True)
    assert owner.get(f"/classes/{third}").status_code == 200
    owner.post(f"/classes/{third}/students/{user_id(app, 'alice')}/remove")
    assert members(app, third)["alice"] == "student"                  # read-only
    with app.app_context():
        code = db.session.get(SchoolClass, third).join_code
    make_user(app, "frank", "student")
    client_as(app, "frank").post("/classes/join", data={"code": code})
    assert "frank" not in members(app, third)


def test_an_admin_creates_and_disables_instructors(app, runner) -> None:
    result = runner.invoke(args=["user", "create", "root", "--admin", "--password", "绿茶 和 咖啡 2026"])
    assert result.exit_code == 0 and "管理员" in result.output
    root = app.test_client()
    login(root, "root", "绿茶 和 咖啡 2026")
    page = root.post("/admin/instructors", data={"username": "wang", "display_name": "王老师"}).get_data(as_text=True)
    secret = re.search(r'<p class="joincode"><code>([^<]+)</code>', page).group(1)
    assert "只显示这一次" in page
    assert "wang" in root.get("/admin/instructors").get_data(as_text=True)
    assert secret not in root.get("/admin/instructors").get_data(as_text=True)
    wang = app.test_client()
    assert "/auth/password" in login(wang, "wang", secret).headers["Location"]
    root.post(f"/admin/instructors/{user_id(app, 'wang')}/active", data={"active": "0"})
    assert wang.get("/auth/password").status_code == 302              # cut off
    assert login(app.test_client(), "wang", secret).status_code == 200   # and cannot log in
    # instructors cannot use the admin page
    make_user(app, "li", "instructor")
    assert client_as(app, "li").get("/admin/instructors").status_code == 403


def test_migration_0009_upgrades_a_0008_database(tmp_path) -> None:
    from tutor import schema
    app = make_app(tmp_path)
    with app.app_context():
        reset_database()
    schema.upgrade(app, "0008")
    with app.app_context():
        with db.engine.begin() as c:
            c.exec_driver_sql("INSERT INTO users (id, username, username_key, password_hash, role, created_at, active, "
                              "session_token) VALUES (1, 'old', 'old', 'x', 'instructor', '2026-01-01 00:00:00', "
                              "true, 'tok1')")
    schema.upgrade(app)
    with app.app_context():
        user = db.session.get(User, 1)
        assert user.must_change_password is False and user.display_name is None and user.is_instructor
        db.session.add(SchoolClass(name="班", course_id="chapter8", join_code="ABCDEFGHJ", created_by=1))
        db.session.flush()
        db.session.add(ClassMember(class_id=1, user_id=1, role="teacher"))
        db.session.commit()
        assert db.session.scalar(select(func.count()).select_from(ClassMember)) == 1
        reset_database()
