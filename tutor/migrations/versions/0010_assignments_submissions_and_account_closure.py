"""assignments (作业) with their submissions; account closure (注销) and last log-in

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-06 17:00:00

`assignments` holds work set for a class: a fixed list of questions or a mock exam blueprint,
open and due times, attempts allowed, when answers are shown and the late policy.
`submissions` holds each student's try, pointing at the practice set or exam paper it was
answered in, with its score, whether it was late, and the teacher's comment.
`users.last_login_at` feeds the retention setting; `users.closure_requested_at` and
`users.closed_at` record a 注销 request and when it was carried out. Existing rows need no
change.
"""
from alembic import op
import sqlalchemy as sa


revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('last_login_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('closure_requested_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('closed_at', sa.DateTime(), nullable=True))
    op.create_table(
        'assignments',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('class_id', sa.Integer(), nullable=False),
        sa.Column('course_id', sa.String(length=100), nullable=False),
        sa.Column('title', sa.String(length=100), nullable=False),
        sa.Column('kind', sa.String(length=16), nullable=False),
        sa.Column('question_ids', sa.JSON(), nullable=True),
        sa.Column('blueprint_id', sa.String(length=100), nullable=True),
        sa.Column('opens_at', sa.DateTime(), nullable=False),
        sa.Column('due_at', sa.DateTime(), nullable=False),
        sa.Column('attempts_allowed', sa.Integer(), nullable=False),
        sa.Column('show_answers', sa.String(length=16), nullable=False),
        sa.Column('late_policy', sa.String(length=16), nullable=False),
        sa.Column('created_by', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['class_id'], ['classes.id']),
        sa.ForeignKeyConstraint(['created_by'], ['users.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_assignments_class', 'assignments', ['class_id', 'due_at'], unique=False)
    op.create_table(
        'submissions',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('assignment_id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('number', sa.Integer(), nullable=False),
        sa.Column('set_id', sa.Integer(), nullable=True),
        sa.Column('paper_id', sa.Integer(), nullable=True),
        sa.Column('started_at', sa.DateTime(), nullable=False),
        sa.Column('submitted_at', sa.DateTime(), nullable=True),
        sa.Column('score', sa.Double(), nullable=True),
        sa.Column('max_score', sa.Double(), nullable=False),
        sa.Column('late', sa.Boolean(), nullable=False),
        sa.Column('comment', sa.String(length=2000), nullable=True),
        sa.Column('comment_by', sa.Integer(), nullable=True),
        sa.Column('comment_at', sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(['assignment_id'], ['assignments.id']),
        sa.ForeignKeyConstraint(['user_id'], ['users.id']),
        sa.ForeignKeyConstraint(['set_id'], ['practice_sets.id']),
        sa.ForeignKeyConstraint(['paper_id'], ['exam_papers.id']),
        sa.ForeignKeyConstraint(['comment_by'], ['users.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('assignment_id', 'user_id', 'number'),
        sa.UniqueConstraint('set_id'),
        sa.UniqueConstraint('paper_id'),
    )
    op.create_index('ix_submissions_user', 'submissions', ['user_id', 'assignment_id'], unique=False)


def downgrade():
    op.drop_index('ix_submissions_user', table_name='submissions')
    op.drop_table('submissions')
    op.drop_index('ix_assignments_class', table_name='assignments')
    op.drop_table('assignments')
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('closed_at')
        batch_op.drop_column('closure_requested_at')
        batch_op.drop_column('last_login_at')
