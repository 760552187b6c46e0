"""cases, timeline, relays, alerts, intake

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-29 12:12:49.790757
"""
from alembic import op
import sqlalchemy as sa


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('case_sequence',
    sa.Column('year', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('last_number', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('year')
    )
    op.create_table('case_intake',
    sa.Column('worker_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('category', sa.String(length=30), nullable=False),
    sa.Column('severity', sa.String(length=10), nullable=False),
    sa.Column('step', sa.String(length=20), nullable=False),
    sa.Column('answers', sa.JSON(), nullable=False),
    sa.Column('evidence', sa.JSON(), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['worker_id'], ['worker.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('worker_id')
    )
    op.create_table('protection_case',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('reference', sa.String(length=20), nullable=False),
    sa.Column('worker_id', sa.Integer(), nullable=False),
    sa.Column('category', sa.String(length=30), nullable=False),
    sa.Column('severity', sa.String(length=10), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('source', sa.String(length=20), nullable=False),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.Column('details', sa.JSON(), nullable=False),
    sa.Column('share_consent', sa.Boolean(), nullable=True),
    sa.Column('contact_ok', sa.Boolean(), nullable=True),
    sa.Column('assignee_id', sa.BigInteger(), nullable=True),
    sa.Column('outcome', sa.String(length=20), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_activity_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('claimed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('first_response_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('resolved_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('first_response_due_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('follow_up_due_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('escalation_level', sa.Integer(), nullable=False),
    sa.Column('next_escalation_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('group_chat_id', sa.BigInteger(), nullable=True),
    sa.Column('card_message_id', sa.BigInteger(), nullable=True),
    sa.Column('thread_id', sa.BigInteger(), nullable=True),
    sa.Column('last_worker_ack_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['worker_id'], ['worker.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('reference')
    )
    with op.batch_alter_table('protection_case', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_protection_case_next_escalation_at'), ['next_escalation_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_protection_case_status'), ['status'], unique=False)
        batch_op.create_index('ix_protection_case_worker_status', ['worker_id', 'status'], unique=False)
        batch_op.create_index('ix_protection_case_card', ['group_chat_id', 'card_message_id'], unique=False)
        batch_op.create_index('ix_protection_case_thread', ['group_chat_id', 'thread_id'], unique=False)

    op.create_table('case_alert',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=120), nullable=False),
    sa.Column('kind', sa.String(length=30), nullable=False),
    sa.Column('audience', sa.String(length=10), nullable=False),
    sa.Column('chat_id', sa.BigInteger(), nullable=True),
    sa.Column('payload', sa.JSON(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('next_attempt_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('lease_until', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_error', sa.String(length=200), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('sent_chat_id', sa.BigInteger(), nullable=True),
    sa.Column('sent_message_id', sa.BigInteger(), nullable=True),
    sa.ForeignKeyConstraint(['case_id'], ['protection_case.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('key')
    )
    with op.batch_alter_table('case_alert', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_case_alert_case_id'), ['case_id'], unique=False)
        batch_op.create_index('ix_case_alert_due', ['status', 'next_attempt_at'], unique=False)
        batch_op.create_index('ix_case_alert_sent', ['sent_chat_id', 'sent_message_id'], unique=False)

    op.create_table('case_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('actor', sa.String(length=40), nullable=False),
    sa.Column('kind', sa.String(length=30), nullable=False),
    sa.Column('data', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['protection_case.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('case_event', schema=None) as batch_op:
        batch_op.create_index('ix_case_event_case_at', ['case_id', 'at'], unique=False)

    op.create_table('officer_prompt',
    sa.Column('chat_id', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('message_id', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('officer_id', sa.BigInteger(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['protection_case.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('chat_id', 'message_id')
    )
    op.create_table('relay_message',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('direction', sa.String(length=3), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('source_chat_id', sa.BigInteger(), nullable=False),
    sa.Column('source_message_id', sa.BigInteger(), nullable=False),
    sa.Column('dest_chat_id', sa.BigInteger(), nullable=True),
    sa.Column('dest_message_id', sa.BigInteger(), nullable=True),
    sa.Column('text', sa.Text(), nullable=True),
    sa.Column('author_id', sa.BigInteger(), nullable=True),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('next_attempt_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('lease_until', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_error', sa.String(length=200), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['case_id'], ['protection_case.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('direction', 'source_chat_id', 'source_message_id', name='uq_relay_source')
    )
    with op.batch_alter_table('relay_message', schema=None) as batch_op:
        batch_op.create_index('ix_relay_case_status', ['case_id', 'status'], unique=False)
        batch_op.create_index('ix_relay_dest', ['dest_chat_id', 'dest_message_id'], unique=False)

def downgrade() -> None:
    with op.batch_alter_table('relay_message', schema=None) as batch_op:
        batch_op.drop_index('ix_relay_dest')
        batch_op.drop_index('ix_relay_case_status')

    op.drop_table('relay_message')
    op.drop_table('officer_prompt')
    with op.batch_alter_table('case_event', schema=None) as batch_op:
        batch_op.drop_index('ix_case_event_case_at')

    op.drop_table('case_event')
    with op.batch_alter_table('case_alert', schema=None) as batch_op:
        batch_op.drop_index('ix_case_alert_sent')
        batch_op.drop_index('ix_case_alert_due')
        batch_op.drop_index(batch_op.f('ix_case_alert_case_id'))

    op.drop_table('case_alert')
    with op.batch_alter_table('protection_case', schema=None) as batch_op:
        batch_op.drop_index('ix_protection_case_thread')
        batch_op.drop_index('ix_protection_case_card')
        batch_op.drop_index('ix_protection_case_worker_status')
        batch_op.drop_index(batch_op.f('ix_protection_case_status'))
        batch_op.drop_index(batch_op.f('ix_protection_case_next_escalation_at'))

    op.drop_table('protection_case')
    op.drop_table('case_intake')
    op.drop_table('case_sequence')
