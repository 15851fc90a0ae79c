"""weekly slot lookup: a caregiver's windows of a weekday, from the index alone

Revision ID: 0008_weekly_slot_lookup
Revises: 0007_payments_ledger_settlement
Create Date: 2026-11-23 03:45:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0008_weekly_slot_lookup'
down_revision = '0007_payments_ledger_settlement'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('caregiver_weekly_slots', schema=None) as batch_op:
        batch_op.create_index(
            'ix_caregiver_weekly_slots_caregiver_weekday',
            ['caregiver_id', 'weekday'],
            unique=False,
            postgresql_include=['starts_at', 'ends_at'],
        )
        batch_op.drop_index('ix_caregiver_weekly_slots_caregiver_id')


def downgrade():
    with op.batch_alter_table('caregiver_weekly_slots', schema=None) as batch_op:
        batch_op.create_index(
            'ix_caregiver_weekly_slots_caregiver_id', ['caregiver_id'], unique=False
        )
        batch_op.drop_index('ix_caregiver_weekly_slots_caregiver_weekday')
