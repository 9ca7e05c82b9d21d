"""per-user settings (设置): one-tap answering, auto-next, font size, daily goal, exam date

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-08 14:00:00

`user_settings` holds at most one row per user, made when the user first saves 设置; a user
without a row has the defaults (one-tap 'auto', no auto-next, standard font, 30 questions a
day, no exam date). A new table only: existing rows need no change.
"""
from alembic import op
import sqlalchemy as sa


revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'user_settings',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('one_tap', sa.String(length=8), nullable=False),
        sa.Column('auto_next', sa.Boolean(), nullable=False),
        sa.Column('font_size', sa.String(length=16), nullable=False),
        sa.Column('daily_goal', sa.Integer(), nullable=False),
        sa.Column('exam_date', sa.Date(), nullable=True),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['users.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('user_id'),
    )


def downgrade():
    op.drop_table('user_settings')
