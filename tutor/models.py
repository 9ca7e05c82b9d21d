"""Learner state. Content lives in YAML; rows refer to it by the stable ids written there."""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from flask_login import UserMixin
from sqlalchemy import JSON, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from tutor.extensions import db

STUDENT = "student"
INSTRUCTOR = "instructor"


def utcnow() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)


class User(UserMixin, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    password_hash: Mapped[str] = mapped_column(String(256))
    role: Mapped[str] = mapped_column(String(16), default=STUDENT)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    active: Mapped[bool] = mapped_column(default=True)

    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(password)

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive users
        return self.active

    @property
    def is_instructor(self) -> bool:
        return self.role == INSTRUCTOR


class PracticeSet(db.Model):
    """A run of questions a student asked for: a topic or a knowledge point, in a fixed order."""

    __tablename__ = "practice_sets"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    course_id: Mapped[str] = mapped_column(String(100))
    scope_kind: Mapped[str] = mapped_column(String(16))     # "topic" | "kp"
    scope_id: Mapped[str] = mapped_column(String(100))
    mode: Mapped[str] = mapped_column(String(16), default="practice")
    question_ids: Mapped[list[str]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    deliveries: Mapped[list[Delivery]] = relationship(
        back_populates="practice_set", order_by="Delivery.position")


class Delivery(db.Model):
    """One presentation of a question: the option order shown, kept on the server."""

    __tablename__ = "deliveries"
    __table_args__ = (UniqueConstraint("set_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    set_id: Mapped[int] = mapped_column(ForeignKey("practice_sets.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    position: Mapped[int]
    question_id: Mapped[str] = mapped_column(String(100))
    option_order: Mapped[list[int]] = mapped_column(JSON)   # shown position -> index as written
    presented_at: Mapped[datetime] = mapped_column(default=utcnow)

    practice_set: Mapped[PracticeSet] = relationship(back_populates="deliveries")
    attempt: Mapped[Attempt | None] = relationship(back_populates="delivery")


class Attempt(db.Model):
    """One scored answer. At most one per delivery, so a re-sent form is never counted twice."""

    __tablename__ = "attempts"
    __table_args__ = (
        UniqueConstraint("delivery_id", name="uq_attempt_delivery"),
        Index("ix_attempts_user_question", "user_id", "question_id"),
        Index("ix_attempts_user_created", "user_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    delivery_id: Mapped[int] = mapped_column(ForeignKey("deliveries.id"))
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

    delivery: Mapped[Delivery] = relationship(back_populates="attempt")
