"""allowances and home visits

Revision ID: 0004_allowances_home_visits
Revises: 0003_notification_consent
Create Date: 2026-11-22

Issue 7. The household facts of the allowances overview (R-ALW-1..5): the care arrangement in
detail on children, the farming/fishing area on households, allowance application dates, stays
abroad and moves between districts. The e-Child Happiness home visits (R-ECH-1..2): the
quarterly cases, visits, linked services, and referrals to the officers' support queue.
Started by the lead (the columns) so that later migrations could build on it.
"""
from alembic import op
import sqlalchemy as sa


revision = '0004_allowances_home_visits'
down_revision = '0003_notification_consent'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('children', schema=None) as batch_op:
        batch_op.add_column(sa.Column('kindergarten_kind', sa.String(length=10), nullable=True))
        batch_op.add_column(sa.Column('after_school', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column('infant_fullday_care', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.create_check_constraint(
            'kindergarten_kind_known',
            "kindergarten_kind IS NULL OR kindergarten_kind IN ('public', 'private')",
        )

    with op.batch_alter_table('households', schema=None) as batch_op:
        batch_op.add_column(sa.Column('farming_fishing_area', sa.Boolean(), server_default=sa.false(), nullable=False))

    op.create_table('household_moves',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('household_id', sa.Integer(), nullable=False),
    sa.Column('moved_on', sa.Date(), nullable=False),
    sa.Column('from_district_code', sa.String(length=5), nullable=False),
    sa.Column('to_district_code', sa.String(length=5), nullable=False),
    sa.CheckConstraint('from_district_code <> to_district_code', name=op.f('ck_household_moves_move_changes_district')),
    sa.ForeignKeyConstraint(['from_district_code'], ['districts.code'], name=op.f('fk_household_moves_from_district_code_districts')),
    sa.ForeignKeyConstraint(['household_id'], ['households.id'], name=op.f('fk_household_moves_household_id_households'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['to_district_code'], ['districts.code'], name=op.f('fk_household_moves_to_district_code_districts')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_household_moves'))
    )
    with op.batch_alter_table('household_moves', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_household_moves_household_id'), ['household_id'], unique=False)

    op.create_table('allowance_applications',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('child_id', sa.Integer(), nullable=False),
    sa.Column('allowance', sa.String(length=20), nullable=False),
    sa.Column('applied_on', sa.Date(), nullable=False),
    sa.CheckConstraint("allowance IN ('child_allowance', 'home_care')", name=op.f('ck_allowance_applications_applied_allowance_known')),
    sa.ForeignKeyConstraint(['child_id'], ['children.id'], name=op.f('fk_allowance_applications_child_id_children'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_allowance_applications')),
    sa.UniqueConstraint('child_id', 'allowance', name=op.f('uq_allowance_applications_child_id_allowance'))
    )
    with op.batch_alter_table('allowance_applications', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_allowance_applications_child_id'), ['child_id'], unique=False)

    op.create_table('child_stays_abroad',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('child_id', sa.Integer(), nullable=False),
    sa.Column('departed_on', sa.Date(), nullable=False),
    sa.Column('returned_on', sa.Date(), nullable=True),
    sa.CheckConstraint('returned_on IS NULL OR returned_on >= departed_on', name=op.f('ck_child_stays_abroad_stay_abroad_order')),
    sa.ForeignKeyConstraint(['child_id'], ['children.id'], name=op.f('fk_child_stays_abroad_child_id_children'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_child_stays_abroad'))
    )
    with op.batch_alter_table('child_stays_abroad', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_child_stays_abroad_child_id'), ['child_id'], unique=False)

    op.create_table('visit_cases',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('district_code', sa.String(length=5), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('quarter', sa.Integer(), nullable=False),
    sa.Column('source', sa.String(length=20), nullable=False),
    sa.Column('child_ref', sa.String(length=40), nullable=False),
    sa.Column('child_name', sa.String(length=80), nullable=False),
    sa.Column('child_birth_date', sa.Date(), nullable=False),
    sa.Column('guardian_name', sa.String(length=80), nullable=False),
    sa.Column('guardian_phone', sa.String(length=20), nullable=False),
    sa.Column('address', sa.String(length=200), nullable=False),
    sa.Column('indicators', sa.JSON(), nullable=False),
    sa.Column('child_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('call_planned_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('visit_planned_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('called_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('call_reached', sa.Boolean(), nullable=True),
    sa.Column('follow_up_on', sa.Date(), nullable=True),
    sa.Column('follow_up', sa.Text(), nullable=False),
    sa.Column('created_by_user_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("source IN ('flagged', 'october_round')", name=op.f('ck_visit_cases_case_source_known')),
    sa.CheckConstraint("status IN ('to_contact', 'call_scheduled', 'reached', 'visit_scheduled', 'visited', 'not_reached', 'closed')", name=op.f('ck_visit_cases_case_status_known')),
    sa.CheckConstraint('quarter BETWEEN 1 AND 4', name=op.f('ck_visit_cases_quarter_range')),
    sa.ForeignKeyConstraint(['child_id'], ['children.id'], name=op.f('fk_visit_cases_child_id_children'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['created_by_user_id'], ['users.id'], name=op.f('fk_visit_cases_created_by_user_id_users')),
    sa.ForeignKeyConstraint(['district_code'], ['districts.code'], name=op.f('fk_visit_cases_district_code_districts')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_visit_cases')),
    sa.UniqueConstraint('district_code', 'year', 'quarter', 'child_ref', name=op.f('uq_visit_cases_district_code_year_quarter_child_ref'))
    )
    with op.batch_alter_table('visit_cases', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_visit_cases_district_code'), ['district_code'], unique=False)

    op.create_table('home_visits',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('visited_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('visitor_name', sa.String(length=80), nullable=False),
    sa.Column('place', sa.String(length=200), nullable=False),
    sa.Column('outcome', sa.String(length=20), nullable=False),
    sa.Column('counselling_notes', sa.Text(), nullable=False),
    sa.Column('needs', sa.JSON(), nullable=False),
    sa.Column('recorded_by_user_id', sa.Integer(), nullable=False),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("outcome IN ('face_to_face', 'not_reached')", name=op.f('ck_home_visits_visit_outcome_known')),
    sa.ForeignKeyConstraint(['case_id'], ['visit_cases.id'], name=op.f('fk_home_visits_case_id_visit_cases'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['recorded_by_user_id'], ['users.id'], name=op.f('fk_home_visits_recorded_by_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_home_visits'))
    )
    with op.batch_alter_table('home_visits', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_home_visits_case_id'), ['case_id'], unique=False)

    op.create_table('linked_services',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('service', sa.String(length=30), nullable=False),
    sa.Column('note', sa.String(length=500), nullable=False),
    sa.Column('linked_by_user_id', sa.Integer(), nullable=False),
    sa.Column('linked_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['visit_cases.id'], name=op.f('fk_linked_services_case_id_visit_cases'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['linked_by_user_id'], ['users.id'], name=op.f('fk_linked_services_linked_by_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_linked_services'))
    )
    with op.batch_alter_table('linked_services', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_linked_services_case_id'), ['case_id'], unique=False)

    op.create_table('support_referrals',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('district_code', sa.String(length=5), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('linked_service_id', sa.Integer(), nullable=True),
    sa.Column('household_id', sa.Integer(), nullable=True),
    sa.Column('child_name', sa.String(length=80), nullable=False),
    sa.Column('child_birth_date', sa.Date(), nullable=False),
    sa.Column('guardian_name', sa.String(length=80), nullable=False),
    sa.Column('guardian_contact', sa.String(length=20), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('created_by_user_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('closed_by_user_id', sa.Integer(), nullable=True),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('closing_note', sa.Text(), nullable=False),
    sa.CheckConstraint("status IN ('open', 'closed')", name=op.f('ck_support_referrals_referral_status_known')),
    sa.ForeignKeyConstraint(['case_id'], ['visit_cases.id'], name=op.f('fk_support_referrals_case_id_visit_cases'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['closed_by_user_id'], ['users.id'], name=op.f('fk_support_referrals_closed_by_user_id_users')),
    sa.ForeignKeyConstraint(['created_by_user_id'], ['users.id'], name=op.f('fk_support_referrals_created_by_user_id_users')),
    sa.ForeignKeyConstraint(['district_code'], ['districts.code'], name=op.f('fk_support_referrals_district_code_districts')),
    sa.ForeignKeyConstraint(['household_id'], ['households.id'], name=op.f('fk_support_referrals_household_id_households'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['linked_service_id'], ['linked_services.id'], name=op.f('fk_support_referrals_linked_service_id_linked_services'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_support_referrals'))
    )
    with op.batch_alter_table('support_referrals', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_support_referrals_district_code'), ['district_code'], unique=False)
        batch_op.create_index('uq_support_referrals_open_case', ['case_id'], unique=True, postgresql_where=sa.text("status = 'open'"), sqlite_where=sa.text("status = 'open'"))


def downgrade():
    with op.batch_alter_table('support_referrals', schema=None) as batch_op:
        batch_op.drop_index('uq_support_referrals_open_case', postgresql_where=sa.text("status = 'open'"), sqlite_where=sa.text("status = 'open'"))
        batch_op.drop_index(batch_op.f('ix_support_referrals_district_code'))

    op.drop_table('support_referrals')
    with op.batch_alter_table('linked_services', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_linked_services_case_id'))

    op.drop_table('linked_services')
    with op.batch_alter_table('home_visits', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_home_visits_case_id'))

    op.drop_table('home_visits')
    with op.batch_alter_table('visit_cases', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_visit_cases_district_code'))

    op.drop_table('visit_cases')
    with op.batch_alter_table('child_stays_abroad', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_child_stays_abroad_child_id'))

    op.drop_table('child_stays_abroad')
    with op.batch_alter_table('allowance_applications', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_allowance_applications_child_id'))

    op.drop_table('allowance_applications')
    with op.batch_alter_table('household_moves', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_household_moves_household_id'))

    op.drop_table('household_moves')

    with op.batch_alter_table('households', schema=None) as batch_op:
        batch_op.drop_column('farming_fishing_area')

    with op.batch_alter_table('children', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_children_kindergarten_kind_known'), type_='check')
        batch_op.drop_column('infant_fullday_care')
        batch_op.drop_column('after_school')
        batch_op.drop_column('kindergarten_kind')
