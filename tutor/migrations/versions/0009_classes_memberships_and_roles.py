"""classes (班级), their members, the admin role and one-time passwords

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-08 09:00:00

`classes` holds a class of one course with its join code (NULL: joining by code switched off)
and the time it was archived; `class_members` places a user in a class as its owner
(`teacher`), a co-teacher (`assistant`) or a `student`. `users.role` may now also be `admin`
(a plain string column: no schema change). `users.must_change_password` is set on accounts
given a generated one-time password; `users.display_name` keeps the 姓名 of a class roster.
Existing accounts keep their passwords and need no change.
"""
from alembic import op
import sqlalchemy as sa


revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('must_change_password', sa.Boolean(), nullable=False,
                                      server_default=sa.text('false')))
        batch_op.add_column(sa.Column('display_name', sa.String(length=64), nullable=True))
    op.create_table(
        'classes',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=64), nullable=False),
        sa.Column('course_id', sa.String(length=100), nullable=False),
        sa.Column('join_code', sa.String(length=16), nullable=True),
        sa.Column('created_by', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('archived_at', sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(['created_by'], ['users.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('join_code'),
    )
    op.create_table(
        'class_members',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('class_id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('role', sa.String(length=16), nullable=False),
        sa.Column('added_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['class_id'], ['classes.id']),
        sa.ForeignKeyConstraint(['user_id'], ['users.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('class_id', 'user_id'),
    )
    op.create_index('ix_class_members_user', 'class_members', ['user_id', 'class_id'], unique=False)


def downgrade():
    op.drop_index('ix_class_members_user', table_name='class_members')
    op.drop_table('class_members')
    op.drop_table('classes')
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('display_name')
        batch_op.drop_column('must_change_password')
