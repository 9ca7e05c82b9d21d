"""Learner state. Content lives in YAML; rows refer to it by the stable ids written there."""
from __future__ import annotations

from datetime import date, datetime, timezone
from typing import TYPE_CHECKING, Any

from flask_login import UserMixin
from sqlalchemy import JSON, ForeignKey, Index, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates
import secrets
import unicodedata

from tutor import passwords
from tutor.extensions import db

if TYPE_CHECKING:   # Flask-SQLAlchemy makes db.Model at run time, a subclass of our Base
    from tutor.extensions import Base as Model
else:
    Model = db.Model

STUDENT = "student"
INSTRUCTOR = "instructor"
ADMIN = "admin"         # manages instructors and classes; an instructor of every class
TEACHING_ROLES = frozenset({INSTRUCTOR, ADMIN})

# A member's place in a class (ClassMember.role): its one owner, co-teachers (助教), students.
OWNER = "teacher"
ASSISTANT = "assistant"
MEMBER_STUDENT = "student"


def new_token() -> str:
    return secrets.token_urlsafe(24)


def username_key(username: str) -> str:
    """What makes two usernames the same account: `Twin`, `TWIN` and full-width `ＴＷＩＮ` are one."""
    return unicodedata.normalize("NFKC", username.strip()).lower()


def utcnow() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)


class User(UserMixin, Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    # username_key(username), unique: case twins cannot be registered, even at the same instant.
    username_key: Mapped[str] = mapped_column(String(80), unique=True)
    password_hash: Mapped[str] = mapped_column(String(256))
    role: Mapped[str] = mapped_column(String(16), default=STUDENT)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    active: Mapped[bool] = mapped_column(default=True)
    # Part of the id kept in session and remember cookies: rotating it (logout, password
    # change) makes every copy of an old cookie worthless.
    session_token: Mapped[str] = mapped_column(String(64), default=new_token)
    # Set on accounts made with a generated one-time password (roster import, the admin's
    # 新建教师): every page sends the user to 修改密码 until they choose their own.
    must_change_password: Mapped[bool] = mapped_column(default=False, server_default=text("false"))
    display_name: Mapped[str | None] = mapped_column(String(64))    # 姓名 from a class roster
    last_login_at: Mapped[datetime | None]     # for the retention setting's "inactive"
    # 注销: asked for at this time; carried out (account anonymised) once the cooling-off ends.
    closure_requested_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]

    @validates("username")
    def _keep_key(self, _field: str, username: str) -> str:
        self.username_key = username_key(username)
        return username

    def set_password(self, password: str) -> None:
        self.password_hash = passwords.hash_password(password)
        self.rotate_session()

    def check_password(self, password: str) -> bool:
        return passwords.verify(self.password_hash, password)

    def rotate_session(self) -> None:
        self.session_token = new_token()

    def get_id(self) -> str:
        return f"{self.id}:{self.session_token}"

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive users
        return self.active

    @property
    def is_instructor(self) -> bool:
        return self.role in TEACHING_ROLES

    @property
    def is_admin(self) -> bool:
        return self.role == ADMIN


# UserSettings choices: one-tap answering follows the device ('auto': on where the pointer is
# coarse, decided in the browser) or is forced on or off; the font size is a class on <html>.
ONE_TAP_CHOICES = ("auto", "on", "off")
FONT_SIZES = ("standard", "large", "xlarge")


class UserSettings(Model):
    """设置: a user's display and study preferences, one row made at the first save (no row
    means the defaults). Personal data: in the download, deleted on 注销."""

    __tablename__ = "user_settings"
    __table_args__ = (UniqueConstraint("user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    one_tap: Mapped[str] = mapped_column(String(8), default="auto")
    auto_next: Mapped[bool] = mapped_column(default=False)
    font_size: Mapped[str] = mapped_column(String(16), default="standard")
    daily_goal: Mapped[int] = mapped_column(default=30)
    exam_date: Mapped[date | None]
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class SchoolClass(Model):
    """班级: students and their teachers around one course. Later features (assignments) hang
    off a class by its id."""

    __tablename__ = "classes"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(64))
    course_id: Mapped[str] = mapped_column(String(100))
    # NULL while joining by code is switched off; rotating replaces it.
    join_code: Mapped[str | None] = mapped_column(String(16), unique=True)
    created_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    archived_at: Mapped[datetime | None]    # archived: read-only, hidden from lists and students

    members: Mapped[list[ClassMember]] = relationship(back_populates="school_class",
                                                      cascade="all, delete-orphan")


class ClassMember(Model):
    """A user's place in a class: OWNER (exactly one), ASSISTANT or MEMBER_STUDENT."""

    __tablename__ = "class_members"
    __table_args__ = (UniqueConstraint("class_id", "user_id"),
                      Index("ix_class_members_user", "user_id", "class_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    class_id: Mapped[int] = mapped_column(ForeignKey("classes.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    role: Mapped[str] = mapped_column(String(16))
    added_at: Mapped[datetime] = mapped_column(default=utcnow)

    school_class: Mapped[SchoolClass] = relationship(back_populates="members")
    user: Mapped[User] = relationship()


# Assignment.kind
PRACTICE_ASSIGNMENT = "practice"      # a fixed list of questions, answered one at a time
EXAM_ASSIGNMENT = "exam"              # a mock exam paper drawn from a blueprint at the start
# Assignment.show_answers
SHOW_EACH = "each"                    # key and 解析 after each answer (exam: after the hand-in)
SHOW_AFTER_DUE = "after_due"          # only after the due time
# Assignment.late_policy
LATE_REFUSED = "refuse"               # nothing is taken after the due time
LATE_MARKED = "accept"                # answers still taken, the submission marked 逾期


class Assignment(Model):
    """作业: work an instructor set a class, with the rules the server enforces for it."""

    __tablename__ = "assignments"
    __table_args__ = (Index("ix_assignments_class", "class_id", "due_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    class_id: Mapped[int] = mapped_column(ForeignKey("classes.id"))
    course_id: Mapped[str] = mapped_column(String(100))
    title: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(16))
    question_ids: Mapped[list[str] | None] = mapped_column(JSON)   # a practice assignment's, in order
    blueprint_id: Mapped[str | None] = mapped_column(String(100))  # an exam assignment's
    opens_at: Mapped[datetime]
    due_at: Mapped[datetime]
    attempts_allowed: Mapped[int] = mapped_column(default=1)
    show_answers: Mapped[str] = mapped_column(String(16), default=SHOW_EACH)
    late_policy: Mapped[str] = mapped_column(String(16), default=LATE_REFUSED)
    created_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Submission(Model):
    """One student's try at an assignment: its practice set or exam paper, and the result once
    every question is answered (or the paper handed in)."""

    __tablename__ = "submissions"
    __table_args__ = (UniqueConstraint("assignment_id", "user_id", "number"),
                      Index("ix_submissions_user", "user_id", "assignment_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    assignment_id: Mapped[int] = mapped_column(ForeignKey("assignments.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    number: Mapped[int]                                   # 1 for the first try
    set_id: Mapped[int | None] = mapped_column(ForeignKey("practice_sets.id"), unique=True)
    paper_id: Mapped[int | None] = mapped_column(ForeignKey("exam_papers.id"), unique=True)
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    submitted_at: Mapped[datetime | None]
    score: Mapped[float | None]
    max_score: Mapped[float]
    late: Mapped[bool] = mapped_column(default=False)
    comment: Mapped[str | None] = mapped_column(String(2000))    # the teacher's 评语
    comment_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    comment_at: Mapped[datetime | None]


class PracticeSet(Model):
    """A run of questions a student asked for: a topic or a knowledge point, in a fixed order."""

    __tablename__ = "practice_sets"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    course_id: Mapped[str] = mapped_column(String(100))
    scope_kind: Mapped[str] = mapped_column(String(16))     # "topic" | "kp"
    scope_id: Mapped[str] = mapped_column(String(100))
    mode: Mapped[str] = mapped_column(String(16), default="random")
    question_ids: Mapped[list[str]] = mapped_column(JSON)
    start_index: Mapped[int | None]    # sequential sets: where in the scope they began
    last_answered_at: Mapped[datetime | None]   # time taken on a question counts from here
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    deliveries: Mapped[list[Delivery]] = relationship(
        back_populates="practice_set", order_by="Delivery.position")


class Delivery(Model):
    """One presentation of a question: the option order shown, kept on the server."""

    __tablename__ = "deliveries"
    __table_args__ = (UniqueConstraint("set_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    set_id: Mapped[int] = mapped_column(ForeignKey("practice_sets.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    position: Mapped[int]
    question_id: Mapped[str] = mapped_column(String(100))
    # How the question was shown (option shuffles), as its type's `layout` made it.
    layout: Mapped[Any] = mapped_column(JSON)
    presented_at: Mapped[datetime] = mapped_column(default=utcnow)

    practice_set: Mapped[PracticeSet] = relationship(back_populates="deliveries")
    attempt: Mapped[Attempt | None] = relationship(back_populates="delivery")


class Attempt(Model):
    """One scored answer: at most one per practice delivery or exam item, so nothing counts twice."""

    __tablename__ = "attempts"
    __table_args__ = (
        # Partial: most answers have no paper and many no delivery. Indexing only the rows that
        # do keeps the index small and gives the planners (SQLite's after ANALYZE included) the
        # true selectivity of a lookup, not that of a column that is mostly NULL.
        Index("uq_attempt_delivery", "delivery_id", unique=True,
              sqlite_where=text("delivery_id IS NOT NULL"), postgresql_where=text("delivery_id IS NOT NULL")),
        Index("uq_attempt_paper_item", "paper_id", "item_index", unique=True,
              sqlite_where=text("paper_id IS NOT NULL"), postgresql_where=text("paper_id IS NOT NULL")),
        Index("ix_attempts_user_question", "user_id", "question_id"),
        Index("ix_attempts_user_created", "user_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    delivery_id: Mapped[int | None] = mapped_column(ForeignKey("deliveries.id"))
    paper_id: Mapped[int | None] = mapped_column(ForeignKey("exam_papers.id"))
    item_index: Mapped[int | None]
    course_id: Mapped[str] = mapped_column(String(100))
    question_id: Mapped[str] = mapped_column(String(100))
    question_version: Mapped[str] = mapped_column(String(32))
    response: Mapped[Any] = mapped_column(JSON)
    correct: Mapped[bool]
    score: Mapped[float]
    max_score: Mapped[float]
    seconds: Mapped[float]
    mode: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # What the grader found in each part (`Grade.parts` as JSON: one bool per blank, position,
    # pair or rubric point; per sub-question of a case {correct, score, max_score, parts}),
    # stored with the answer so that no page grades it again. NULL: stored before 0007.
    parts: Mapped[Any | None] = mapped_column(JSON)
    # 自评 of a short answer ("right", "partial", "wrong"); see docs/progress.md for its effect.
    self_assessment: Mapped[str | None] = mapped_column(String(8))
    # The grader's own score, kept once a self-assessment or a review has replaced `score`
    # (`score` and `correct` are always the effective result, which every report reads).
    rubric_score: Mapped[float | None]
    # 人工复核: the score an instructor set, by whom and when.
    reviewed_score: Mapped[float | None]
    reviewed_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reviewed_at: Mapped[datetime | None]

    delivery: Mapped[Delivery | None] = relationship(back_populates="attempt")

    @property
    def keyword_score(self) -> float:
        return self.score if self.rubric_score is None else self.rubric_score


class StudentQuestion(Model):
    """One student's standing on one question, kept up to date with every answer, so that
    progress pages and class reports read one row per question instead of every answer."""

    __tablename__ = "student_questions"
    # Covering indexes (migration 0005): the class reports and progress pages read these rows
    # from the index alone, in key order, instead of looking each row up in the table.
    __table_args__ = (UniqueConstraint("user_id", "course_id", "question_id"),
                      Index("ix_student_questions_first", "course_id", "question_id", "first_fraction",
                            "first_attempt_id"),
                      Index("ix_student_questions_standing", "user_id", "course_id", "question_id",
                            "attempts", "correct", "last_correct", "last_at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    course_id: Mapped[str] = mapped_column(String(100))
    question_id: Mapped[str] = mapped_column(String(100))
    attempts: Mapped[int] = mapped_column(default=0)
    correct: Mapped[int] = mapped_column(default=0)
    last_correct: Mapped[bool]
    last_at: Mapped[datetime]
    first_attempt_id: Mapped[int] = mapped_column(ForeignKey("attempts.id"))
    first_fraction: Mapped[float]       # score / max score of the first attempt, for item analysis


class NotebookEntry(Model):
    """错题本: a question answered wrong, until it is answered right enough times in a row."""

    __tablename__ = "notebook_entries"
    __table_args__ = (UniqueConstraint("user_id", "course_id", "question_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    course_id: Mapped[str] = mapped_column(String(100))
    question_id: Mapped[str] = mapped_column(String(100))
    streak: Mapped[int] = mapped_column(default=0)          # correct answers in a row since
    wrong_count: Mapped[int] = mapped_column(default=1)
    # how many of those mistakes were mock-exam questions handed in blank (未作答)
    blank_count: Mapped[int] = mapped_column(default=0, server_default="0")
    added_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_wrong_at: Mapped[datetime] = mapped_column(default=utcnow)


class Favourite(Model):
    """收藏: a question a student starred."""

    __tablename__ = "favourites"
    __table_args__ = (UniqueConstraint("user_id", "course_id", "question_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    course_id: Mapped[str] = mapped_column(String(100))
    question_id: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ReviewCard(Model):
    """智能复习: the student's FSRS card for one question."""

    __tablename__ = "review_cards"
    __table_args__ = (UniqueConstraint("user_id", "course_id", "question_id"),
                      # due cards in order, and the retained count of class reports, from the index
                      Index("ix_review_cards_due", "user_id", "course_id", "due", "state", "question_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    course_id: Mapped[str] = mapped_column(String(100))
    question_id: Mapped[str] = mapped_column(String(100))
    card: Mapped[dict[str, Any]] = mapped_column(JSON)      # fsrs.Card.to_dict()
    state: Mapped[int] = mapped_column(default=1)           # fsrs.State: 1 learning, 2 review, 3 relearning
    due: Mapped[datetime]
    last_review: Mapped[datetime]
    reviews: Mapped[int] = mapped_column(default=1)


class SequenceCursor(Model):
    """顺序练习: where a student's sequential run through a scope resumes."""

    __tablename__ = "sequence_cursors"
    __table_args__ = (UniqueConstraint("user_id", "course_id", "scope_kind", "scope_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    course_id: Mapped[str] = mapped_column(String(100))
    scope_kind: Mapped[str] = mapped_column(String(16))
    scope_id: Mapped[str] = mapped_column(String(100))
    next_index: Mapped[int] = mapped_column(default=0)


class ExamPaper(Model):
    """A student's mock exam paper, fixed when started, with a deadline kept on the server."""

    __tablename__ = "exam_papers"
    __table_args__ = (Index("ix_exam_papers_user", "user_id", "started_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    course_id: Mapped[str] = mapped_column(String(100))
    blueprint_id: Mapped[str] = mapped_column(String(100))
    title: Mapped[str] = mapped_column(String(200))
    # [{"question_id", "type", "points", "layout"}], in paper order
    items: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    pass_percent: Mapped[int]
    started_at: Mapped[datetime]
    deadline: Mapped[datetime]
    submitted_at: Mapped[datetime | None]
    score: Mapped[float | None]
    max_score: Mapped[float]
    passed: Mapped[bool | None]

    answers: Mapped[list[ExamAnswer]] = relationship(order_by="ExamAnswer.item_index")


class ExamAnswer(Model):
    """The answer on one item of a paper, saved as the student goes and changeable until submission."""

    __tablename__ = "exam_answers"
    __table_args__ = (UniqueConstraint("paper_id", "item_index"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    paper_id: Mapped[int] = mapped_column(ForeignKey("exam_papers.id"))
    item_index: Mapped[int]
    response: Mapped[Any | None] = mapped_column(JSON)
    flagged: Mapped[bool] = mapped_column(default=False)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


# QuestionReport.category: short codes, labelled on the pages (tutor/feedbackloop).
REPORT_CATEGORIES = ("key", "stem", "explanation", "other")
REPORT_OPEN = "open"
REPORT_HANDLED = "handled"


class QuestionReport(Model):
    """纠错: a problem a user reported in a question, and the instructor's reply once handled.
    About the content (shared by every class), written by a student (whose name the queue shows
    only to that student's teachers)."""

    __tablename__ = "question_reports"
    __table_args__ = (Index("ix_question_reports_status", "status", "created_at"),
                      Index("ix_question_reports_user", "user_id", "created_at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    course_id: Mapped[str] = mapped_column(String(100))
    question_id: Mapped[str] = mapped_column(String(100))
    question_version: Mapped[str] = mapped_column(String(32))   # course.versions[question_id] when reported
    category: Mapped[str] = mapped_column(String(16))
    text: Mapped[str] = mapped_column(String(1000))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    status: Mapped[str] = mapped_column(String(16), default=REPORT_OPEN)
    reply: Mapped[str | None] = mapped_column(String(1000))
    handled_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    handled_at: Mapped[datetime | None]


class QuestionNote(Model):
    """笔记: a user's private note on one question. Nobody else reads it, teachers included."""

    __tablename__ = "question_notes"
    __table_args__ = (UniqueConstraint("user_id", "course_id", "question_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    course_id: Mapped[str] = mapped_column(String(100))
    question_id: Mapped[str] = mapped_column(String(100))
    text: Mapped[str] = mapped_column(String(2000))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
