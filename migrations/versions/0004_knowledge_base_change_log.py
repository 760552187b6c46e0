"""knowledge base change log

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-29 12:20:06.865656
"""
from alembic import op
import sqlalchemy as sa


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('kb_change',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('entry_id', sa.String(length=80), nullable=False),
    sa.Column('field', sa.String(length=20), nullable=False),
    sa.Column('old_value', sa.Text(), nullable=True),
    sa.Column('new_value', sa.Text(), nullable=False),
    sa.Column('actor_id', sa.BigInteger(), nullable=False),
    sa.Column('actor_name', sa.String(length=100), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('rollback_of', sa.Integer(), nullable=True),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('kb_change', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_kb_change_entry_id'), ['entry_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('kb_change', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_kb_change_entry_id'))

    op.drop_table('kb_change')
