"""Who teaches whom: the classes a user may see as a teacher, and which students' work they
may read. Every teacher page and every per-student page an instructor can open asks here.

An admin teaches every class and may read every student. An instructor teaches the classes
they own or assist in, and reads the students of those classes only (archived ones included:
archiving makes a class read-only, not secret from its own teachers).
"""
from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, exists, select

from tutor.extensions import db
from tutor.models import (ADMIN, ASSISTANT, MEMBER_STUDENT, OWNER, ClassMember, SchoolClass)

# 9 characters of 31 (no 0/O, 1/I/L): 31**9 ≈ 2**44.6, read aloud and typed from a projector
# without ambiguity. Join attempts are rate-limited, so guessing one of a few hundred codes
# would take longer than the life of the server.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 9
TEACHER_ROLES = (OWNER, ASSISTANT)


def new_join_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normalize_code(text: str) -> str:
    """What a student typed, as stored: upper case, spaces and dashes dropped, full width folded."""
    import unicodedata
    folded = unicodedata.normalize("NFKC", text or "").upper()
    return "".join(c for c in folded if c not in " -\t")[:32]


def is_admin(user: Any) -> bool:
    return getattr(user, "role", None) == ADMIN


def taught_classes(user: Any, archived: bool = False) -> list[SchoolClass]:
    """The classes `user` teaches (an admin: every class), by name; archived ones only if asked."""
    query = select(SchoolClass).order_by(SchoolClass.name, SchoolClass.id)
    if not is_admin(user):
        query = query.where(SchoolClass.id.in_(select(ClassMember.class_id).where(
            ClassMember.user_id == user.id, ClassMember.role.in_(TEACHER_ROLES))))
    if not archived:
        query = query.where(SchoolClass.archived_at.is_(None))
    return list(db.session.scalars(query))


def teacher_role(user: Any, school_class: SchoolClass) -> str | None:
    """OWNER or ASSISTANT for a teacher of the class, ADMIN for an admin, else None."""
    if is_admin(user):
        return ADMIN
    return db.session.scalar(select(ClassMember.role).where(
        ClassMember.class_id == school_class.id, ClassMember.user_id == user.id,
        ClassMember.role.in_(TEACHER_ROLES)))


def class_for_teacher(user: Any, class_id: int | None) -> tuple[SchoolClass, str] | None:
    """The class and the user's role in it, if they teach it."""
    school_class = db.session.get(SchoolClass, class_id) if class_id is not None else None
    if school_class is None:
        return None
    role = teacher_role(user, school_class)
    return (school_class, role) if role else None


def students_of(class_id: int) -> Select[Any]:
    """The ids of a class's students, as a subquery for IN (...)."""
    return select(ClassMember.user_id).where(ClassMember.class_id == class_id,
                                             ClassMember.role == MEMBER_STUDENT)


def can_read_student(viewer: Any, student_id: int) -> bool:
    """Whether a teacher may read this student's work: an admin always; an instructor when the
    student is in a class they teach."""
    if is_admin(viewer):
        return True
    if not getattr(viewer, "is_instructor", False):
        return False
    mine = select(ClassMember.class_id).where(ClassMember.user_id == viewer.id,
                                              ClassMember.role.in_(TEACHER_ROLES))
    return bool(db.session.scalar(select(exists().where(
        ClassMember.user_id == student_id, ClassMember.role == MEMBER_STUDENT, ClassMember.class_id.in_(mine)))))


@dataclass
class ReportScope:
    """Which students a class report covers: one class's, or (an admin's 全部班级) every student."""
    classes: list[SchoolClass]           # the selector's choices
    chosen: SchoolClass | None           # None: every student (admin only) or no class at all
    everyone: bool                       # an admin may choose every student

    @property
    def empty(self) -> bool:             # an instructor without a class: nothing to show
        return self.chosen is None and not self.everyone

    @property
    def key(self) -> str:                # the report cache's key for these students
        return f"class:{self.chosen.id}" if self.chosen else "all"

    @property
    def students(self) -> Select[Any] | None:
        return students_of(self.chosen.id) if self.chosen else None

    @property
    def arg(self) -> str | None:         # the ?class= value that names this scope
        return str(self.chosen.id) if self.chosen else None


def report_scope(user: Any, requested: int | None, requested_all: bool = False) -> ReportScope | None:
    """The scope `?class=` asks for; None when it names a class the user does not teach. By
    default an instructor's first class, an admin's every student."""
    classes = taught_classes(user)
    admin = is_admin(user)
    if requested is not None:
        found = class_for_teacher(user, requested)
        if found is None:
            return None
        chosen = found[0]
        if chosen not in classes:        # an archived class, still readable by its teachers
            classes = [*classes, chosen]
        return ReportScope(classes, chosen, admin)
    if admin or requested_all:
        return ReportScope(classes, None, admin) if admin else None
    return ReportScope(classes, classes[0] if classes else None, False)


def student_classes(user_id: int) -> list[SchoolClass]:
    """The classes a student is in that are not archived (archived ones are hidden from them)."""
    return list(db.session.scalars(select(SchoolClass).join(ClassMember, ClassMember.class_id == SchoolClass.id)
                                   .where(ClassMember.user_id == user_id, ClassMember.role == MEMBER_STUDENT,
                                          SchoolClass.archived_at.is_(None))
                                   .order_by(SchoolClass.name)))
