"""covering indexes for the class reports, progress pages and due reviews

SQLite read each per-question summary row and review card through an index and then looked
the row up in the table, in random order: with 1,000 students, 0.8 s of item analysis's
facility query and about half of each class overview scan. These indexes hold every column
those reads use, in key order. The columns of `ix_student_questions_first` never change once
a row exists.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-29 16:00:00

"""
from alembic import op


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade():
    op.drop_index('ix_student_questions_course_question', table_name='student_questions')
    op.create_index('ix_student_questions_first', 'student_questions',
                    ['course_id', 'question_id', 'first_fraction', 'first_attempt_id'])
    op.create_index('ix_student_questions_standing', 'student_questions',
                    ['user_id', 'course_id', 'question_id', 'attempts', 'correct', 'last_correct', 'last_at'])
    op.drop_index('ix_review_cards_user_due', table_name='review_cards')
    op.create_index('ix_review_cards_due', 'review_cards', ['user_id', 'course_id', 'due', 'state', 'question_id'])


def downgrade():
    op.drop_index('ix_review_cards_due', table_name='review_cards')
    op.create_index('ix_review_cards_user_due', 'review_cards', ['user_id', 'due'])
    op.drop_index('ix_student_questions_standing', table_name='student_questions')
    op.drop_index('ix_student_questions_first', table_name='student_questions')
    op.create_index('ix_student_questions_course_question', 'student_questions', ['course_id', 'question_id'])
