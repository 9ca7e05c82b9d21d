"""`flask --app tutor demo`: a demo class in a fresh database, so that a newcomer sees every page
populated.

One instructor and eight students with two to three weeks of history, made through the app's
own code paths at past moments: practice sets laid out as `practice.start` lays them out
(`pick_random`, `pick_sequential`, the due review cards, the notebook), every answer graded by
`tutor.questions.grade` and stored by `learning.prepare`/`learning.store` (so the per-question
summaries, FSRS cards and 错题本 are the real ones), 自评 through `reassessment.self_assess`, and
mock exams drawn by `exam.paper.draw` and handed in through the exam blueprint's own `_finish`,
which grades them at the moment the demo clock says.

Deterministic for a given `--seed` and starting time, except the passwords (random unless
`--password` is given). It refuses to run when the database has any account at all: it never
touches anyone's data.
"""
from __future__ import annotations

import random
import secrets
import time
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from typing import Any, Iterator
from zoneinfo import ZoneInfo

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import func, inspect, select, text

from tutor import learning, passwords, reassessment
from tutor.content.course import Course
from tutor.coursework import selection, tries
from tutor.exam import _finish, new_paper
from tutor.extensions import db
from tutor.models import (INSTRUCTOR, MEMBER_STUDENT, OWNER, PRACTICE_ASSIGNMENT, STUDENT, Assignment, Attempt,
                          ClassMember, Delivery, ExamAnswer,
                          Favourite, SchoolClass,
                          NotebookEntry, PracticeSet, SequenceCursor, User)
from tutor.practice.sets import pick_random, pick_sequential, scope_questions
from tutor.questions import QuestionBase, grade, question_type
from tutor.standing.stats import last_results
from tutor.transactions import IMMEDIATE
from tutor.teaching import new_join_code
from tutor.web import now

TEACHER = "teacher"
CLASS_NAME = "演示班"
MAX_SECONDS = 3600.0      # as practice caps "seconds taken"


@dataclass(frozen=True)
class Profile:
    """One demo student: how well and how often they study."""

    username: str
    note: str               # printed beside the log-in
    ability: float          # chance of a right first answer to a question of middle difficulty
    first_day: int          # days ago they joined and started
    last_day: int           # days ago they last studied
    days_per_week: int
    sets_per_day: tuple[int, int]
    exams: int
    pace: float = 1.0       # how fast they move through the chapter's knowledge points


STUDENTS = (
    Profile("zhangwei", "基础扎实，几乎每天练习", 0.86, 20, 0, 6, (1, 3), 3, 1.3),
    Profile("wangfang", "成绩较好，练习规律", 0.78, 18, 1, 5, (1, 2), 2, 1.1),
    Profile("lina", "中等水平", 0.67, 16, 0, 4, (1, 2), 2),
    Profile("liuyang", "中等水平，练得不多", 0.6, 19, 2, 3, (1, 2), 1, 0.8),
    Profile("chenjing", "基础较弱，但很努力", 0.47, 15, 0, 5, (1, 3), 2),
    Profile("yangfan", "基础较弱，练习不规律", 0.4, 17, 3, 2, (1, 1), 1, 0.7),
    Profile("sunhao", "一周前起就没有再学习", 0.62, 20, 8, 4, (1, 2), 1, 1.2),
    Profile("zhoumin", "今天刚注册，还没有开始", 0.6, 0, 0, 0, (0, 0), 0),
)

# Seconds a student spends on one question, by type (before their own pace).
SECONDS = {"truefalse": (8, 25), "single": (15, 50), "multiple": (25, 80), "fill": (30, 90),
           "ordering": (40, 110), "matching": (40, 120), "short": (90, 300), "case": (120, 400)}
_WORDS = ("maoyi", "kehu", "haiguan", "dingdan", "jiehui", "baoguan", "yangpin", "huoyun", "xinyong",
          "tidan", "baojia", "zhuangyun")


class DemoRefused(click.ClickException):
    pass


@click.command("demo")
@click.option("--seed", default=2026, show_default=True, help="Random seed: the same seed, the same class.")
@click.option("--password", help="One password for every demo account (default: two random ones, printed).")
@with_appcontext
def demo_command(seed: int, password: str | None) -> None:
    """Create a demo class (1 instructor, 8 students with 2-3 weeks of history) in an empty database."""
    if password is not None and (message := passwords.problem(password)):
        raise click.ClickException(message)
    started = time.perf_counter()
    result = create_demo(seed=seed, teacher_password=password or _password(),
                         student_password=password or _password())
    click.echo(report(result, time.perf_counter() - started))


@dataclass
class DemoResult:
    teacher_password: str
    student_password: str
    answers: int = 0
    sets: int = 0
    exams: int = 0
    self_assessed: int = 0


def create_demo(seed: int, teacher_password: str, student_password: str) -> DemoResult:
    """Make the demo class; refuses (DemoRefused) unless the database has no account at all."""
    if not inspect(db.engine).has_table(User.__tablename__):
        raise DemoRefused("数据库还没有建表：先运行 flask --app tutor db upgrade"
                          " (the database has no tables yet: run `flask --app tutor db upgrade`)")
    course = current_app.extensions["tutor_content"].current().course()
    if course is None:
        raise DemoRefused("没有加载到课程（先运行 flask --app tutor content check） (no course loaded)")
    _lock_users()
    existing = db.session.scalar(select(func.count()).select_from(User)) or 0
    if existing:
        db.session.rollback()
        raise DemoRefused(f"数据库中已有 {existing} 个账号，演示数据只能建在空数据库中；没有做任何改动。"
                          "试用请另用一个数据库，例如 DATABASE_URL=sqlite:///demo.sqlite（instance/demo.sqlite）。"
                          f" (The database already has {existing} account(s); the demo only fills an "
                          "empty database. Nothing was changed.)")
    rng = random.Random(seed)
    moment = now()
    zone = ZoneInfo(current_app.config["TUTOR_TIMEZONE"])
    today = moment.replace(tzinfo=timezone.utc).astimezone(zone).date()
    result = DemoResult(teacher_password, student_password)
    teacher = User(username=TEACHER, role=INSTRUCTOR, created_at=_at(today - timedelta(days=21), 9, 0, zone))
    teacher.set_password(teacher_password)
    db.session.add(teacher)
    students: list[tuple[User, Profile]] = []
    student_hash = passwords.hash_password(student_password)     # hashed once: it is slow on purpose
    for profile in STUDENTS:
        joined = _at(today - timedelta(days=profile.first_day), 19, rng.randint(0, 50), zone)
        user = User(username=profile.username, role=STUDENT, password_hash=student_hash,
                    created_at=min(joined, moment - timedelta(hours=1)))
        user.rotate_session()
        db.session.add(user)
        students.append((user, profile))
    db.session.flush()
    # The teacher's class (班级), so that the teacher pages, which show a teacher's classes only,
    # show these students; joining by code stays on, as a real class would have it.
    demo_class = SchoolClass(name=CLASS_NAME, course_id=course.id, join_code=new_join_code(), created_by=teacher.id,
                             created_at=teacher.created_at)
    db.session.add(demo_class)
    db.session.flush()
    db.session.add(ClassMember(class_id=demo_class.id, user_id=teacher.id, role=OWNER, added_at=teacher.created_at))
    for user, _ in students:
        db.session.add(ClassMember(class_id=demo_class.id, user_id=user.id, role=MEMBER_STUDENT,
                                   added_at=user.created_at))
    db.session.commit()
    for user, profile in students:
        Student(course, user.id, user.created_at, profile, random.Random(f"{seed}:{profile.username}"), zone, today,
                moment, result).run()
    _homework(course, demo_class, teacher, students, rng, zone, today, moment, result)
    return result


def _homework(course: Course, demo_class: SchoolClass, teacher: User, students: list[tuple[User, Profile]],
              rng: random.Random, zone: ZoneInfo, today: date, moment: datetime, result: DemoResult) -> None:
    """One practice assignment, set three days ago and due in four: the students who studied
    since have done it, through the same functions the pages use; the others have not started."""
    opened = _at(today - timedelta(days=3), 9, 0, zone)
    filters = selection.Filters(frozenset({"survey.content", "survey.steps", "survey.methods"}))
    assignment = Assignment(class_id=demo_class.id, course_id=course.id, title=HOMEWORK, kind=PRACTICE_ASSIGNMENT,
                            question_ids=selection.draw(course, filters, 10, rng), opens_at=opened,
                            due_at=_at(today + timedelta(days=4), 22, 0, zone), attempts_allowed=2,
                            created_by=teacher.id, created_at=opened)
    db.session.add(assignment)
    db.session.commit()
    for user, profile in students:
        if profile.last_day > 3 or not profile.days_per_week:      # not studying lately, or never started
            continue
        student = Student(course, user.id, user.created_at, profile, random.Random(f"homework:{profile.username}"),
                          zone, today, moment, result)
        started = min(_at(today - timedelta(days=min(profile.last_day, 2)), 20, rng.randint(0, 50), zone),
                      moment - timedelta(hours=2))
        student.homework(assignment, started)


HOMEWORK = "第八章 客户调查 课后练习"


def _lock_users() -> None:
    """Hold the users table while counting and creating accounts, so that nobody registers in
    between: SQLite's write lock, or PostgreSQL's table lock."""
    db.session.rollback()
    if db.engine.dialect.name == "sqlite":
        db.session.connection(execution_options={IMMEDIATE: True})    # BEGIN IMMEDIATE, as a POST
    elif db.engine.dialect.name == "postgresql":
        db.session.execute(text("LOCK TABLE users IN SHARE ROW EXCLUSIVE MODE"))


def _at(day: date, hour: int, minute: int, zone: ZoneInfo) -> datetime:
    """A local wall-clock time on `day` as naive UTC, as times are stored."""
    local = datetime(day.year, day.month, day.day, hour, minute, tzinfo=zone)
    return local.astimezone(timezone.utc).replace(tzinfo=None)


def _password() -> str:
    while True:
        words = [secrets.choice(_WORDS) for _ in range(2)]
        candidate = f"{words[0]}-{words[1]}-{secrets.randbelow(9000) + 1000}"
        if passwords.problem(candidate) is None:
            return candidate


@contextmanager
def clock_at(moment: datetime) -> Iterator[None]:
    """The app's clock (web.now) stopped at `moment`, for code that reads the time itself."""
    extensions = current_app.extensions
    kept = extensions["tutor_clock"]
    extensions["tutor_clock"] = lambda: moment
    try:
        yield
    finally:
        extensions["tutor_clock"] = kept


class Student:
    """One demo student's history, day by day, session by session."""

    def __init__(self, course: Course, user_id: int, joined: datetime, profile: Profile, rng: random.Random,
                 zone: ZoneInfo, today: date, moment: datetime, result: DemoResult) -> None:
        self.course, self.user_id, self.joined, self.profile, self.rng = course, user_id, joined, profile, rng
        self.zone, self.today, self.now, self.result = zone, today, moment, result
        self.seen: dict[str, int] = {}       # question id -> answers so far
        self.starred: set[str] = set()
        self.kps = [kp.id for topic in course.topics for kp in topic.knowledge_points
                    if course.by_knowledge_point.get(kp.id)]
        self.speed = rng.uniform(0.8, 1.3) / max(profile.ability, 0.3) * 0.6

    def run(self) -> None:
        p = self.profile
        if p.days_per_week == 0:
            return
        days = [d for d in range(p.first_day, p.last_day - 1, -1)
                if d in (p.first_day, p.last_day) or self.rng.random() < p.days_per_week / 7]
        later = [d for d in days[len(days) // 2:] if d > 0] or days[len(days) // 2:]   # not today if possible
        exam_days = set(self.rng.sample(later, min(p.exams, len(later))))
        latest = self.joined        # sessions follow one another, never overlap, and end before now
        for ago in days:
            day = self.today - timedelta(days=ago)
            reached = min(len(self.kps), 1 + int((p.first_day - ago + 1) * p.pace * len(self.kps) / 14))
            start = self._session_start(day, self.rng.random() < 0.7, latest)
            for _ in range(self.rng.randint(*p.sets_per_day)):
                if start is None or start >= self.now - timedelta(minutes=10):
                    break
                latest = self._practice(start, reached)
                start = latest + timedelta(minutes=self.rng.randint(3, 40))
            if ago in exam_days:
                exam_start = self._session_start(day, True, latest + timedelta(minutes=10), hour=20)
                if exam_start is not None and exam_start + timedelta(hours=1) < self.now:
                    latest = self._exam(exam_start)

    def _session_start(self, day: date, evening: bool, after: datetime, hour: int | None = None) -> datetime | None:
        """A realistic start on `day` (lunch or evening, local time) after `after`, or None when
        that is not before now."""
        if hour is None:
            hour = self.rng.randint(19, 21) if evening else 12
        moment = _at(day, hour, self.rng.randint(0, 50), self.zone)
        if moment > self.now - timedelta(hours=1):
            moment = self.now - timedelta(hours=self.rng.uniform(1.5, 3))
        moment = max(moment, after)
        return moment if moment < self.now - timedelta(minutes=10) else None

    # --- practice, as tutor/practice/__init__.py start() and answer() do it -------------------

    def _choose(self, moment: datetime, reached: int) -> tuple[str, str, str, list[str], int | None]:
        """(mode, scope kind, scope id, question ids, start index) as practice.start picks them."""
        course, size = self.course, int(current_app.config["TUTOR_PRACTICE_SET_SIZE"])
        roll = self.rng.random()
        if roll < 0.3:
            due = learning.due_cards(self.user_id, course.id, learning.end_of_day(moment, str(self.zone)), size * 3)
            chosen = [c.question_id for c in due if c.question_id in course.by_id][:size]
            if len(chosen) >= 3:
                return "review", "all", "", chosen, None
        if roll < 0.42:
            chosen = list(db.session.scalars(select(NotebookEntry.question_id).where(
                NotebookEntry.user_id == self.user_id, NotebookEntry.course_id == course.id)
                .order_by(NotebookEntry.last_wrong_at.desc()).limit(size)))
            if len(chosen) >= 3:
                return "notebook", "all", "", chosen, None
        # mostly the newest knowledge points reached, sometimes an older one
        index = reached - 1 if self.rng.random() < 0.6 else self.rng.randrange(reached)
        kp = self.kps[index]
        questions = scope_questions(course, "kp", kp) or ()
        if roll > 0.85:
            cursor = db.session.scalar(select(SequenceCursor).where(
                SequenceCursor.user_id == self.user_id, SequenceCursor.course_id == course.id,
                SequenceCursor.scope_kind == "kp", SequenceCursor.scope_id == kp))
            chosen, start_index = pick_sequential(questions, cursor.next_index if cursor else 0, size)
            return "sequential", "kp", kp, chosen, start_index
        return "random", "kp", kp, pick_random(questions, last_results(self.user_id, course.id), size,
                                               self.rng), None

    def _practice(self, moment: datetime, reached: int) -> datetime:
        """One practice set, answered in whole or in part; returns when it ended."""
        course = self.course
        mode, scope_kind, scope_id, chosen, start_index = self._choose(moment, reached)
        if not chosen:
            return moment
        practice_set = PracticeSet(user_id=self.user_id, course_id=course.id, scope_kind=scope_kind,
                                   scope_id=scope_id, mode=mode, question_ids=chosen,
                                   start_index=start_index, created_at=moment)
        practice_set.deliveries = [
            Delivery(user_id=self.user_id, position=position, question_id=qid,
                     layout=question_type(course.by_id[qid]).layout(course.by_id[qid], self.rng),
                     presented_at=moment)
            for position, qid in enumerate(chosen)]
        db.session.add(practice_set)
        db.session.commit()
        self.result.sets += 1
        stop = len(chosen) if self.rng.random() < 0.85 else self.rng.randint(1, len(chosen))
        for delivery in practice_set.deliveries[:stop]:
            q = course.by_id[delivery.question_id]
            seconds = min(self._seconds(q), MAX_SECONDS)
            moment += timedelta(seconds=seconds)
            if moment >= self.now:
                break
            response = self._response(q, self._right(q))
            result = grade(q, response, course.grading)
            before = learning.standing(self.user_id, course.id, q.id)
            learning.store(learning.prepare(self.user_id, course, q, response, result, now=moment, mode=mode,
                                            seconds=seconds, before=before, delivery_id=delivery.id,
                                            set_id=practice_set.id))
            if mode == "sequential" and start_index is not None:
                self._advance_cursor(scope_kind, scope_id, start_index + delivery.position + 1)
            self._star(q, result.correct, moment)
            self.seen[q.id] = self.seen.get(q.id, 0) + 1
            self.result.answers += 1
            if question_type(q).rubric_scored(q) and self.rng.random() < 0.6:
                self._self_assess(delivery.id, q, result)
            moment += timedelta(seconds=self.rng.randint(3, 20))   # reading the feedback
        db.session.commit()    # once per set: each answer is stored exactly as practice stores it
        return moment

    def homework(self, assignment: Assignment, moment: datetime) -> None:
        """A try at a practice assignment, answered to the end and submitted."""
        course = self.course
        submission = tries.start_practice(assignment, self.user_id, course, 1, moment, self.rng)
        db.session.flush()
        for delivery in db.session.scalars(select(Delivery).where(Delivery.set_id == submission.set_id)
                                           .order_by(Delivery.position)):
            q = course.by_id[delivery.question_id]
            seconds = min(self._seconds(q), MAX_SECONDS)
            moment += timedelta(seconds=seconds)
            response = self._response(q, self._right(q))
            result = grade(q, response, course.grading)
            before = learning.standing(self.user_id, course.id, q.id)
            learning.store(learning.prepare(self.user_id, course, q, response, result, now=moment,
                                            mode=tries.SET_MODE, seconds=seconds, before=before,
                                            delivery_id=delivery.id, set_id=submission.set_id))
            self.result.answers += 1
        tries.finish_set_if_done(submission.set_id or 0, moment)
        db.session.commit()

    def _advance_cursor(self, scope_kind: str, scope_id: str, next_index: int) -> None:
        cursor = db.session.scalar(select(SequenceCursor).where(
            SequenceCursor.user_id == self.user_id, SequenceCursor.course_id == self.course.id,
            SequenceCursor.scope_kind == scope_kind, SequenceCursor.scope_id == scope_id))
        if cursor is None:
            db.session.add(SequenceCursor(user_id=self.user_id, course_id=self.course.id, scope_kind=scope_kind,
                                          scope_id=scope_id, next_index=next_index))
        else:
            cursor.next_index = max(cursor.next_index, next_index)

    def _star(self, q: QuestionBase, correct: bool, moment: datetime) -> None:
        """收藏, as collections.toggle_favourite adds one: now and then, mostly after a mistake."""
        if q.id not in self.starred and self.rng.random() < (0.1 if not correct else 0.015):
            self.starred.add(q.id)
            db.session.add(Favourite(user_id=self.user_id, course_id=self.course.id, question_id=q.id,
                                     created_at=moment))

    def _self_assess(self, delivery_id: int, q: QuestionBase, result: Any) -> None:
        """自评 after a short answer's feedback; now and then more generous than the keywords."""
        attempt = db.session.scalar(select(Attempt).where(Attempt.delivery_id == delivery_id))
        if attempt is None:
            return
        fraction = result.fraction
        verdict = "right" if fraction >= 1 else ("partial" if fraction > 0 else "wrong")
        if verdict != "right" and self.rng.random() < 0.3:
            verdict = "right"
        reassessment.self_assess(attempt, verdict, self.course)
        self.result.self_assessed += 1

    # --- mock exams, as tutor/exam/__init__.py start(), answer() and _finish() do them ---------

    def _exam(self, started: datetime) -> datetime:
        """One mock exam, started, answered and handed in; returns the hand-in time."""
        course = self.course
        blueprint = course.manifest.exams[0] if course.manifest.exams else None
        if blueprint is None:
            return started
        paper = new_paper(self.user_id, course, blueprint, self.rng, started)
        items = paper.items
        db.session.add(paper)
        db.session.commit()
        moment = started
        skip = max(0.0, 0.5 - self.profile.ability) * 0.3      # weak students leave a few blank
        for index, item in enumerate(items):
            q = course.by_id[item["question_id"]]
            moment += timedelta(seconds=self._seconds(q) * 0.8)
            if self.rng.random() < skip:
                continue
            db.session.add(ExamAnswer(paper_id=paper.id, item_index=index, response=self._response(q, self._right(q)),
                                      flagged=self.rng.random() < 0.05, updated_at=min(moment, paper.deadline)))
        db.session.commit()
        handed_in = min(moment + timedelta(minutes=self.rng.randint(1, 5)), paper.deadline)
        if handed_in >= self.now:
            handed_in = self.now - timedelta(minutes=1)
        with clock_at(handed_in):
            _finish(paper, course)
        for item in items:
            self.seen[item["question_id"]] = self.seen.get(item["question_id"], 0) + 1
        self.result.exams += 1
        return handed_in

    # --- how this student answers ---------------------------------------------------------------

    def _right(self, q: QuestionBase) -> bool:
        p = self.profile.ability - 0.08 * ((q.difficulty or 2) - 2) + 0.12 * min(self.seen.get(q.id, 0), 2)
        if q.type in ("short", "case", "ordering", "matching"):
            p -= 0.1
        return self.rng.random() < min(max(p, 0.05), 0.97)

    def _seconds(self, q: QuestionBase) -> float:
        low, high = SECONDS.get(q.type, (20, 60))
        return round(self.rng.uniform(low, high) * self.speed, 1)

    def _response(self, q: Any, right: bool) -> Any:
        """A response in the question's own terms (option letters, not shown positions), as the
        type's form parser returns it: the key, or a plausible mistake."""
        kind = question_type(q)
        key = kind.correct_response(q)
        if q.type == "short":
            return self._short_answer(q, right)
        if right:
            return key
        rng = self.rng
        if q.type == "truefalse":
            return not key
        if q.type == "single":
            return rng.choice([letter for letter in "ABCDEFGH"[:len(q.options)] if letter != key])
        if q.type == "multiple":
            letters = "ABCDEFGH"[:len(q.options)]
            others = [letter for letter in letters if letter not in key]
            if others and (len(key) == 1 or rng.random() < 0.5):
                return sorted(set(key) | {rng.choice(others)})      # one too many
            return sorted(rng.sample(list(key), len(key) - 1))      # one missing
        if q.type == "fill":
            wrong = list(key)
            index = rng.randrange(len(wrong))
            wrong[index] = rng.choice([k for k in key if k != key[index]] or ["不清楚"])
            return wrong
        if q.type in ("ordering", "matching"):
            wrong = list(key)
            if len(wrong) >= 2:
                i = rng.randrange(len(wrong) - 1)
                wrong[i], wrong[i + 1] = wrong[i + 1], wrong[i]
            return wrong
        if q.type == "case":
            right_subs = [rng.random() < 0.5 for _ in q.questions]
            return [self._response(sub, ok) for sub, ok in zip(q.questions, right_subs)]
        return None

    def _short_answer(self, q: Any, right: bool) -> str:
        """A short answer: one of the question's calibration answers (real answers, scored by the
        author) near what this student would write, or the model answer."""
        answers = list(getattr(q, "calibration", ()))
        full = max((c.score for c in answers), default=0)
        pool = [c.answer for c in answers if (c.score == full) == right] if answers else []
        if right:
            pool.append(q.model_answer)
        return self.rng.choice(pool) if pool else "不记得了"


def report(result: DemoResult, seconds: float) -> str:
    lines = ["演示班级已创建 (demo class created)：", "",
             f"  教师 (instructor)：{TEACHER}  密码：{result.teacher_password}",
             f"  学生 (students) 密码：{result.student_password}",
             f"  {len(STUDENTS)} 名学生共用这个密码 (one password for all students)："]
    for profile in STUDENTS:
        lines.append(f"    {profile.username:<10} {profile.note}")
    lines += ["",
              f"  {result.answers} 次练习答题，{result.sets} 个练习组，{result.exams} 份模拟考试，"
              f"{result.self_assessed} 次自评；用时 {seconds:.1f} 秒。",
              "",
              "  启动 flask --app tutor run 后，以 teacher 登录，教师页面在 /instructor/："
              "学生总览 /instructor/、掌握热图 /instructor/heatmap、题目分析 /instructor/items、"
              "人工复核 /instructor/review、内容与导入 /instructor/content、"
              f"作业 /assignments/teach（演示作业“{HOMEWORK}”）。",
              "  (Teacher pages: /instructor/ once logged in as teacher.)"]
    return "\n".join(lines)
