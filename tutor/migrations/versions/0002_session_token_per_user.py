"""session token per user: logout and password changes end every copy of a session

Revision ID: 0002
Revises: 0001
"""
import secrets

import sqlalchemy as sa
from alembic import op

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade():
    # A plain ADD COLUMN (no table rebuild, which SQLite would refuse while answers point at users)
    op.add_column('users', sa.Column('session_token', sa.String(length=64), nullable=False,
                                     server_default=''))
    users = sa.table('users', sa.column('id', sa.Integer), sa.column('session_token', sa.String))
    connection = op.get_bind()
    for (user_id,) in connection.execute(sa.select(users.c.id)).all():
        connection.execute(users.update().where(users.c.id == user_id)
                           .values(session_token=secrets.token_urlsafe(24)))
    if connection.dialect.name != 'sqlite':
        op.alter_column('users', 'session_token', server_default=None)


def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('session_token')
