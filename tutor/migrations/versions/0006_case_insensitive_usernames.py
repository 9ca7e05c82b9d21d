"""usernames are unique whatever their case or width (users.username_key)

`twin`, `TWIN` and `Twin` could be registered as separate accounts on PostgreSQL, whose unique
constraint on `username` is case-sensitive, and concurrent sign-ups slipped past the
case-insensitive check. `username_key` holds NFKC + lower case of the name, unique.

Accounts that already clash keep every row and answer: the oldest keeps the plain key, each
later twin gets `key#<id>` (it can still sign in by its exact name) and the clash is reported
on the migration's log for an administrator to resolve.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-06 09:00:00

"""
import logging
import unicodedata

import sqlalchemy as sa
from alembic import op


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None

log = logging.getLogger("alembic.runtime.migration")


def upgrade():
    with op.batch_alter_table('users') as batch:
        batch.add_column(sa.Column('username_key', sa.String(length=80), nullable=True))
    users = sa.table('users', sa.column('id', sa.Integer), sa.column('username', sa.String),
                     sa.column('username_key', sa.String))
    connection = op.get_bind()
    seen: dict[str, str] = {}
    for user_id, username in connection.execute(sa.select(users.c.id, users.c.username).order_by(users.c.id)):
        key = unicodedata.normalize("NFKC", username.strip()).lower()
        if key in seen:
            log.warning("username clash: %r (id %s) is the same name as %r; kept as %s#%s",
                        username, user_id, seen[key], key, user_id)
            key = f"{key}#{user_id}"
        else:
            seen[key] = username
        connection.execute(users.update().where(users.c.id == user_id).values(username_key=key))
    with op.batch_alter_table('users') as batch:
        batch.alter_column('username_key', existing_type=sa.String(length=80), nullable=False)
        batch.create_unique_constraint('uq_users_username_key', ['username_key'])


def downgrade():
    with op.batch_alter_table('users') as batch:
        batch.drop_constraint('uq_users_username_key', type_='unique')
        batch.drop_column('username_key')
