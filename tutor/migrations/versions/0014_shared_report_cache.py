"""class reports kept for every worker: the report_cache table

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-06 20:00:00

`report_cache` holds the class reports (overview, item analysis) as JSON, one row per report,
content version and class, with the lease that lets one worker at a time compute each
(tutor/instructor/report_store.py). Used when TUTOR_REPORT_CACHE_URI is not Redis. A new table
only: existing rows need no change, and it starts empty.
"""
from alembic import op
import sqlalchemy as sa


revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'report_cache',
        sa.Column('key', sa.String(length=200), nullable=False),
        sa.Column('made_at', sa.DateTime(), nullable=True),
        sa.Column('payload', sa.Text(), nullable=True),
        sa.Column('lease_token', sa.String(length=32), nullable=True),
        sa.Column('lease_until', sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint('key'),
    )


def downgrade():
    op.drop_table('report_cache')
