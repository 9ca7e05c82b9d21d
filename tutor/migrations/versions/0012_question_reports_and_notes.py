"""question reports (纠错) and private notes (笔记)

Revision ID: 0012
Revises: 0010
Create Date: 2026-12-08 10:00:00

`question_reports` holds a problem a user reported in a question (a category code and their
text, the question's version at the time) and, once an instructor handled it, the reply.
`question_notes` holds one private note per user and question. Both refer to questions by the
stable ids of the YAML, like every other learner table. New tables only: existing rows need no
change.
"""
from alembic import op
import sqlalchemy as sa


revision = '0012'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'question_reports',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('course_id', sa.String(length=100), nullable=False),
        sa.Column('question_id', sa.String(length=100), nullable=False),
        sa.Column('question_version', sa.String(length=32), nullable=False),
        sa.Column('category', sa.String(length=16), nullable=False),
        sa.Column('text', sa.String(length=1000), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('reply', sa.String(length=1000), nullable=True),
        sa.Column('handled_by', sa.Integer(), nullable=True),
        sa.Column('handled_at', sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(['user_id'], ['users.id']),
        sa.ForeignKeyConstraint(['handled_by'], ['users.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_question_reports_status', 'question_reports', ['status', 'created_at'], unique=False)
    op.create_index('ix_question_reports_user', 'question_reports', ['user_id', 'created_at'], unique=False)
    op.create_table(
        'question_notes',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('course_id', sa.String(length=100), nullable=False),
        sa.Column('question_id', sa.String(length=100), nullable=False),
        sa.Column('text', sa.String(length=2000), nullable=False),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['users.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('user_id', 'course_id', 'question_id'),
    )


def downgrade():
    op.drop_table('question_notes')
    op.drop_index('ix_question_reports_user', table_name='question_reports')
    op.drop_index('ix_question_reports_status', table_name='question_reports')
    op.drop_table('question_reports')
