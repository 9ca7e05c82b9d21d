"""notebook entries count the mistakes that were blank mock-exam answers

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-06 10:40:00

A question handed in blank on a mock exam goes into the 错题本 as before; `blank_count` says how
many of its `wrong_count` mistakes were blanks, so that the notebook can tell 未作答 from 答错.
Entries made before this migration count none.
"""
from alembic import op
import sqlalchemy as sa


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('notebook_entries', schema=None) as batch_op:
        batch_op.add_column(sa.Column('blank_count', sa.Integer(), nullable=False, server_default='0'))


def downgrade():
    with op.batch_alter_table('notebook_entries', schema=None) as batch_op:
        batch_op.drop_column('blank_count')
