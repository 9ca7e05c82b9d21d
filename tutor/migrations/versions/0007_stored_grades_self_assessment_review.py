"""answers keep their per-part grade, a self-assessment and an instructor's review

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-06 08:45:00

Older answers get no parts: pages show them without the per-part breakdown rather than grade
them again against content that may have changed since.
"""
from alembic import op
import sqlalchemy as sa


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('attempts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('parts', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('self_assessment', sa.String(length=8), nullable=True))
        batch_op.add_column(sa.Column('rubric_score', sa.Double(), nullable=True))
        batch_op.add_column(sa.Column('reviewed_score', sa.Double(), nullable=True))
        batch_op.add_column(sa.Column('reviewed_by', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('reviewed_at', sa.DateTime(), nullable=True))
        batch_op.create_foreign_key('fk_attempts_reviewed_by', 'users', ['reviewed_by'], ['id'])


def downgrade():
    with op.batch_alter_table('attempts', schema=None) as batch_op:
        batch_op.drop_constraint('fk_attempts_reviewed_by', type_='foreignkey')
        for column in ('reviewed_at', 'reviewed_by', 'reviewed_score', 'rubric_score', 'self_assessment', 'parts'):
            batch_op.drop_column(column)
