"""bookings: drop the indexes on household_id and agency_id, which the unique request key and the
agency-state index lead with (two index entries fewer for every booking written)

Revision ID: 0009_bookings_redundant_indexes
Revises: 0008_weekly_slot_lookup
Create Date: 2026-11-23 16:50:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0009_bookings_redundant_indexes'
down_revision = '0008_weekly_slot_lookup'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('bookings', schema=None) as batch_op:
        batch_op.drop_index('ix_bookings_household_id')
        batch_op.drop_index('ix_bookings_agency_id')


def downgrade():
    with op.batch_alter_table('bookings', schema=None) as batch_op:
        batch_op.create_index('ix_bookings_agency_id', ['agency_id'], unique=False)
        batch_op.create_index('ix_bookings_household_id', ['household_id'], unique=False)
