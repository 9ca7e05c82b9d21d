"""time taken comes from the set's answers, not a column on the set

Answering reads the set's latest answer time in the query it already makes, which spares
an UPDATE of the set with every answer.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-29 13:40:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('practice_sets', schema=None) as batch_op:
        batch_op.drop_column('last_answered_at')


def downgrade():
    with op.batch_alter_table('practice_sets', schema=None) as batch_op:
        batch_op.add_column(sa.Column('last_answered_at', sa.DateTime(), nullable=True))
