"""Adding a checked roster to a class: which rows make accounts, which join existing ones, and
doing it all in the request's one transaction (the view commits once, or not at all)."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from tutor import passwords
from tutor.classes.roster import Roster, RosterRow
from tutor.extensions import db
from tutor.models import MEMBER_STUDENT, STUDENT, ClassMember, SchoolClass, User, username_key

NEW, JOIN, ALREADY = "new", "join", "already"
ACTION_LABELS = {NEW: "新建账号", JOIN: "已有账号，加入班级", ALREADY: "已在班级中，不变"}


@dataclass
class Planned:
    row: RosterRow
    action: str | None          # NEW, JOIN, ALREADY; None when the row has a problem
    user: User | None = None


def plan(roster: Roster, school_class: SchoolClass) -> list[Planned]:
    """What confirming would do with each row; rows naming a teacher's account get a problem
    (a roster only ever adds students)."""
    keys = {username_key(r.username): r for r in roster.rows if r.username}
    users = {u.username_key: u for u in db.session.scalars(
        select(User).where(User.username_key.in_(list(keys))))} if keys else {}
    members = set(db.session.scalars(select(ClassMember.user_id).where(ClassMember.class_id == school_class.id)))
    planned = []
    for row in roster.rows:
        user = users.get(username_key(row.username)) if row.username else None
        if user is not None and user.role != STUDENT:
            row.problems.append("这个学号是教师账号，不能作为学生加入")
        if row.problems:
            planned.append(Planned(row, None, user))
        elif user is None:
            planned.append(Planned(row, NEW))
        else:
            planned.append(Planned(row, ALREADY if user.id in members else JOIN, user))
    return planned


@dataclass
class Issued:
    username: str
    name: str
    password: str
    generated: bool


def apply(planned: list[Planned], school_class: SchoolClass) -> list[Issued]:
    """Make the new accounts and memberships (flushed, not committed); the passwords issued.
    Existing accounts keep their passwords; every new one must choose its own at first login."""
    issued = []
    for item in planned:
        if item.action == NEW:
            generated = not item.row.password
            secret = passwords.one_time() if generated else item.row.password
            user = User(username=item.row.username, role=STUDENT, display_name=item.row.name,
                        must_change_password=True,
                        password_hash=passwords.hash_one_time(secret) if generated else passwords.hash_password(secret))
            user.rotate_session()
            db.session.add(user)
            db.session.flush()
            item.user = user
            issued.append(Issued(user.username, item.row.name, secret, generated))
        if item.action in (NEW, JOIN) and item.user is not None:
            if item.action == JOIN and not item.user.display_name:
                item.user.display_name = item.row.name
            db.session.add(ClassMember(class_id=school_class.id, user_id=item.user.id, role=MEMBER_STUDENT))
    db.session.flush()
    return issued
