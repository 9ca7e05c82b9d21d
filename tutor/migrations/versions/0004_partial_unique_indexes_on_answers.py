"""answers: partial unique indexes for their delivery and exam item

The once-only rules (one answer per practice delivery, one per exam item) become unique
indexes over the rows that have a delivery or a paper. Most answers have one or the other,
not both: a full index on a mostly-NULL column told SQLite's planner (once ANALYZE had run)
that looking an answer up by its delivery would match a million rows, and it scanned instead.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-29 14:20:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('attempts', schema=None) as batch_op:
        batch_op.drop_constraint('uq_attempt_delivery', type_='unique')
        batch_op.drop_constraint('uq_attempt_paper_item', type_='unique')
    op.create_index('uq_attempt_delivery', 'attempts', ['delivery_id'], unique=True,
                    sqlite_where=sa.text('delivery_id IS NOT NULL'),
                    postgresql_where=sa.text('delivery_id IS NOT NULL'))
    op.create_index('uq_attempt_paper_item', 'attempts', ['paper_id', 'item_index'], unique=True,
                    sqlite_where=sa.text('paper_id IS NOT NULL'),
                    postgresql_where=sa.text('paper_id IS NOT NULL'))


def downgrade():
    op.drop_index('uq_attempt_paper_item', table_name='attempts')
    op.drop_index('uq_attempt_delivery', table_name='attempts')
    with op.batch_alter_table('attempts', schema=None) as batch_op:
        batch_op.create_unique_constraint('uq_attempt_paper_item', ['paper_id', 'item_index'])
        batch_op.create_unique_constraint('uq_attempt_delivery', ['delivery_id'])
