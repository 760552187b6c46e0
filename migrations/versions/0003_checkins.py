"""checkins: schedules, check-ins (unique per worker and slot), index on worker.last_seen_at

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-29 12:16:43.224348
"""
from alembic import op
import sqlalchemy as sa


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('checkin_schedule',
    sa.Column('worker_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('frequency', sa.String(length=20), nullable=False),
    sa.Column('local_time', sa.String(length=5), nullable=True),
    sa.Column('country', sa.String(length=2), nullable=True),
    sa.Column('city', sa.String(length=100), nullable=True),
    sa.Column('timezone', sa.String(length=64), nullable=False),
    sa.Column('next_due_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('paused_until', sa.DateTime(timezone=True), nullable=True),
    sa.Column('ended_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('consecutive_misses', sa.Integer(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['worker_id'], ['worker.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('worker_id')
    )
    with op.batch_alter_table('checkin_schedule', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_checkin_schedule_next_due_at'), ['next_due_at'], unique=False)

    op.create_table('checkin',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('worker_id', sa.Integer(), nullable=False),
    sa.Column('due_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('next_action_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('claimed_by', sa.String(length=64), nullable=True),
    sa.Column('claim_expires_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('message_id', sa.BigInteger(), nullable=True),
    sa.Column('reminded_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('answered_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('answer', sa.String(length=8), nullable=True),
    sa.Column('escalated_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('case_id', sa.Integer(), nullable=True),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['protection_case.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['worker_id'], ['worker.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('worker_id', 'due_at', name='uq_checkin_worker_slot')
    )
    with op.batch_alter_table('checkin', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_checkin_due_at'), ['due_at'], unique=False)
        batch_op.create_index('ix_checkin_status_next_action', ['status', 'next_action_at'], unique=False)

    with op.batch_alter_table('worker', schema=None) as batch_op:
        batch_op.create_index('ix_worker_last_seen_at', ['last_seen_at'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('worker', schema=None) as batch_op:
        batch_op.drop_index('ix_worker_last_seen_at')

    with op.batch_alter_table('checkin', schema=None) as batch_op:
        batch_op.drop_index('ix_checkin_status_next_action')
        batch_op.drop_index(batch_op.f('ix_checkin_due_at'))

    op.drop_table('checkin')
    with op.batch_alter_table('checkin_schedule', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_checkin_schedule_next_due_at'))

    op.drop_table('checkin_schedule')
