"""作业 in Chromium (issue 18): the teacher's path (create a class → import a roster → assign →
students do it → report) on a laptop, and the student's path (join with the code → see 作业 →
do it before the deadline → see the result once the teacher allows) on a phone. axe-core finds
no violation on any page; screenshots go to tests/artifacts/assignment-*.png."""
from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from conftest import PASSWORD, Clock, make_app, make_user
from test_browser import (VIEWPORTS, answer_whatever_is_shown, assert_accessible, browser, go_next, login_in_browser,  # noqa: F401
                          register_in_browser, server, shoot)
from tutor.extensions import db
from tutor.models import SchoolClass

pytestmark = pytest.mark.browser
sync_api = pytest.importorskip("playwright.sync_api")
expect = sync_api.expect

LAPTOP, PHONE = VIEWPORTS["laptop"], {"width": 390, "height": 844}
NEW_PASSWORD = "Ketang-2027!"


@pytest.fixture(scope="module")
def live_app(tmp_path_factory: pytest.TempPathFactory):
    """王老师 teaches; the app's clock is one the tests move (2026-11-29 10:00 in Shanghai)."""
    app = make_app(tmp_path_factory.mktemp("assignments"))
    app.extensions["tutor_clock"] = Clock()
    make_user(app, "王老师", "instructor")
    return app


def fresh_page(browser, size: dict):  # noqa: F811
    return browser.new_context(viewport=size, locale="zh-CN").new_page()


def do_the_assignment(page) -> None:
    """From the assignment's page: start it and answer until the set is handed in."""
    page.get_by_role("button", name=re.compile("开始作业|继续作答")).click()
    for _ in range(30):
        if page.locator("form[data-answer-form]").count() == 0:
            break
        answer_whatever_is_shown(page)
        page.locator("form[data-answer-form] button[type=submit]").last.click()
        go_next(page)
    expect(page.locator("h1")).to_have_text("作业已提交")


def test_teacher_path_class_roster_assignment_report(server: str, browser, live_app, tmp_path: Path) -> None:  # noqa: F811
    teacher = fresh_page(browser, LAPTOP)
    login_in_browser(teacher, server, "王老师")
    teacher.goto(server + "/classes/")
    teacher.get_by_label("班级名称").fill("外贸2班")
    teacher.get_by_role("button", name="创建班级").click()
    expect(teacher.locator("h1")).to_contain_text("外贸2班")
    roster = tmp_path / "名单.csv"
    roster.write_text("学号,姓名,初始密码\n20260201,李明,Chushi-2026a\n20260202,张华,Chushi-2026b\n"
                      "20260203,赵磊,Chushi-2026c\n", encoding="utf-8")
    teacher.get_by_label("名单文件").set_input_files(str(roster))
    teacher.get_by_role("button", name="上传并预览").click()
    expect(teacher.locator("h1")).to_contain_text("名单预览")
    teacher.get_by_role("button", name="确认导入").click()
    expect(teacher.locator("h1")).to_contain_text("名单已导入")

    teacher.get_by_role("link", name="返回班级").click()
    teacher.get_by_role("link", name="本班作业").click()
    teacher.get_by_role("link", name="布置作业").click()
    teacher.get_by_label("作业标题").fill("客户调查方法 课后练习")
    teacher.get_by_role("checkbox", name=re.compile("^客户调查的方法")).check()
    teacher.get_by_role("checkbox", name=re.compile("^单选题")).check()
    teacher.get_by_label("题数").fill("3")
    assert_accessible(teacher)
    shoot(teacher, "assignment-form-laptop")
    teacher.get_by_role("button", name="下一步：预览").click()
    expect(teacher.locator(".previewlist li")).to_have_count(3)
    assert_accessible(teacher)
    shoot(teacher, "assignment-preview-laptop")
    teacher.get_by_role("button", name="确认布置").click()
    expect(teacher.locator("h1")).to_have_text("客户调查方法 课后练习")
    report_url = teacher.url

    for username, password, right in (("20260201", "Chushi-2026a", True), ("20260202", "Chushi-2026b", False)):
        student = fresh_page(browser, PHONE)
        student.goto(server + "/auth/login")
        student.get_by_label("用户名").fill(username)
        student.get_by_label("密码", exact=True).fill(password)
        student.get_by_role("button", name="登录").click()
        expect(student.locator("h1")).to_have_text("修改密码")          # a roster password is for once
        student.get_by_label("当前密码").fill(password)
        student.get_by_label("新密码", exact=True).fill(NEW_PASSWORD)
        student.get_by_label("确认新密码").fill(NEW_PASSWORD)
        student.get_by_role("button", name="修改密码").click()
        student.goto(server + "/")
        student.locator(".homework").get_by_role("link", name="客户调查方法 课后练习").click()
        do_the_assignment(student)
        student.context.close()

    teacher.goto(report_url)
    expect(teacher.locator(".workstats")).to_contain_text("2/3 已完成")
    expect(teacher.locator("#ns-names")).to_have_value("赵磊")
    expect(teacher.locator("table.grid").first.locator("tbody tr")).to_have_count(3)
    assert_accessible(teacher)
    shoot(teacher, "assignment-report-laptop")
    teacher.set_viewport_size(PHONE)
    teacher.reload()
    assert teacher.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    shoot(teacher, "assignment-report-phone")
    # a comment on 李明's try, which he then reads
    teacher.get_by_role("link", name=re.compile("第 1 次")).first.click()
    teacher.get_by_label(re.compile("给学生的评语")).fill("做得好，第三题再看一遍课文。")
    teacher.get_by_role("button", name="保存评语").click()
    expect(teacher.locator(".flash")).to_contain_text("评语已保存")
    teacher.context.close()


def test_student_path_join_do_before_the_deadline_see_the_result_after(server: str, browser, live_app) -> None:  # noqa: F811
    with live_app.app_context():
        school_class = db.session.scalar(select(SchoolClass).where(SchoolClass.name == "外贸2班"))
        code, class_id = school_class.join_code, school_class.id
    # the teacher sets a second assignment whose answers show only after the due time
    teacher = fresh_page(browser, LAPTOP)
    login_in_browser(teacher, server, "王老师")
    teacher.goto(f"{server}/assignments/class/{class_id}/new")
    teacher.get_by_label("作业标题").fill("周末小测")
    teacher.get_by_role("checkbox", name=re.compile("^客户调查的方法")).check()
    teacher.get_by_label("题数").fill("2")
    teacher.get_by_label("截止时间", exact=True).fill("2026-11-30T22:00")
    teacher.get_by_label("截止时间过后才显示答案和解析").check()
    teacher.get_by_role("button", name="下一步：预览").click()
    teacher.get_by_role("button", name="确认布置").click()
    teacher.context.close()

    page = fresh_page(browser, PHONE)
    register_in_browser(page, server, "新同学")
    page.goto(server + "/classes/join")
    page.get_by_label("加入码").fill(code.lower())
    page.get_by_role("button", name="加入班级").click()
    page.goto(server + "/")
    work = page.locator(".homework")
    expect(work).to_contain_text("周末小测")
    expect(work).to_contain_text("未开始")
    assert_accessible(page)
    shoot(page, "assignment-home-phone")
    work.get_by_role("link", name="周末小测").click()
    expect(page.locator(".facts")).to_contain_text("11月30日 22:00")
    assert_accessible(page)
    shoot(page, "assignment-show-phone")
    page.get_by_role("button", name="开始作业").click()
    answer_whatever_is_shown(page)
    page.locator("form[data-answer-form] button[type=submit]").last.click()
    expect(page.locator(".verdict")).to_have_text("答案已记录")             # no verdict before the due time
    go_next(page)
    answer_whatever_is_shown(page)
    page.locator("form[data-answer-form] button[type=submit]").last.click()
    go_next(page)
    expect(page.locator("h1")).to_have_text("作业已提交")
    assert_accessible(page)
    shoot(page, "assignment-submitted-phone")
    page.get_by_role("link", name="返回作业").click()
    expect(page.locator(".triesl")).to_contain_text("得分和答案在截止时间后公布")

    live_app.extensions["tutor_clock"].advance(days=2)                     # past the due time
    page.reload()
    expect(page.locator(".triesl")).to_contain_text("得分")
    expect(page.locator(".triesl strong")).to_have_text(re.compile(r"^\d+/2$"))
    page.locator(".triesl").get_by_role("link", name="查看").click()
    expect(page.locator("ol.setresults li.ok, ol.setresults li.bad")).to_have_count(2)
    assert_accessible(page)
    shoot(page, "assignment-result-phone")
    page.context.close()
