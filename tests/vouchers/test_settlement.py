"""Monthly settlement: lock the month, claim per agency with reason codes, confirm and pay,
with the ledger agreeing to the won; caregivers' pay figures (R-CG-2) from data."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from booking import visits
from booking.requests import cancel_booking
from core.clock import SEOUL
from core.errors import Conflict, NotFound
from tests.booking.conftest import TUESDAY_9, caregiver
from tests.factories import AdminFactory, parent_of
from tests.vouchers.money import (
    TARIFFS,
    assert_ledger_agrees,
    confirmed_booking,
    give_tier,
    staff,
    sync,
)
from vouchers.claims import build_claims, claim_lines, claims_for_actor, confirm_claim, pay_claim
from vouchers.gateways import VirtualAccountGateway
from vouchers.ledger import Account, balance
from vouchers.payment_events import DepositNotice, record_deposit
from vouchers.payments import PaymentSetup
from vouchers.settlement import AgencyClaim, lock_month

SETUP = PaymentSetup(card=None, virtual_accounts=VirtualAccountGateway(bank="NH", secret="s"))
APRIL = datetime(2026, 4, 1, 9, tzinfo=SEOUL)


def visit(session, clock, booking):
    from service.accounts.models import User
    from service.extensions import db

    actor = db.session.get(User, booking.caregiver.user_id).actor
    clock.instant = booking.starts_at
    visits.check_in(session, actor, booking.id, clock=clock)
    clock.instant = booking.ends_at
    visits.check_out(session, actor, booking.id, clock=clock)
    sync(session, booking, SETUP, clock)


def pay(session, clock, booking):
    payment = sync(session, booking, SETUP, clock)
    record_deposit(
        session,
        DepositNotice(f"B{booking.id}", payment.account_number, payment.amount),
        clock=clock,
    )


def test_caregiver_pay_figures_are_the_official_2024_ones():
    pay = TARIFFS.for_date(datetime(2024, 6, 1).date()).caregiver_pay
    # R-CG-2 (2024): base 10,110; comprehensive 3,480; sick-child 3,040; 2nd child 5,055; 3rd
    assert (pay.base_hourly, pay.comprehensive_hourly, pay.sick_hourly) == (10110, 3480, 3040)
    assert (pay.second_child_hourly, pay.third_child_hourly) == (5055, 10110)
    assert pay.initial_training_hours == 120  # R-CG-1


def test_a_month_is_settled_after_it_ends(session, clock):
    with pytest.raises(Conflict) as caught:
        lock_month(session, "2026-03", tariffs=TARIFFS, clock=clock)
    assert caught.value.code == "month_not_over"


def test_lock_build_confirm_and_pay_a_month(session, clock, family, pricing):
    give_tier(session, family, clock)
    helper = caregiver(user=True)
    first = confirmed_booking(session, clock, family, pricing, SETUP, helper=helper)
    pay(session, clock, first)
    clock.instant = datetime(2026, 3, 2, 10, tzinfo=SEOUL)
    second = confirmed_booking(
        session,
        clock,
        family,
        pricing,
        SETUP,
        key="k2",
        helper=helper,
        start=TUESDAY_9 + timedelta(days=1),
    )
    pay(session, clock, second)
    visit(session, clock, first)
    # the second is cancelled 3 h before: one hourly basic fee (R-CAN-1), kept from the deposit
    clock.instant = second.starts_at - timedelta(hours=3)
    cancel_booking(
        session, parent_of(family), second, reason="", waived=False, pricing=pricing, clock=clock
    )
    sync(session, second, SETUP, clock)

    clock.instant = APRIL
    locked = lock_month(session, "2026-03", tariffs=TARIFFS, clock=clock)
    assert (locked.items, locked.corrections) == (2, 0)
    assert lock_month(session, "2026-03", tariffs=TARIFFS, clock=clock).items == 0  # once
    built = build_claims(session, "2026-03", tariffs=TARIFFS, clock=clock)
    assert (built.claims, built.lines, built.rejected) == (1, 2, 0)
    claim = session.query(AgencyClaim).one()
    # the visit: 25,580 = 21,744 government (ga, 85%) + 3,836 parent; the fee 12,790
    assert (claim.total, claim.government, claim.parent, claim.fees) == (25580, 21744, 3836, 12790)
    assert claim.payable == 21744 + 3836 + 12790 == 38370
    assert sum(line.total for line in claim_lines(session, claim)) == claim.total
    rebuilt = build_claims(session, "2026-03", tariffs=TARIFFS, clock=clock)
    assert rebuilt.claims == 1 and session.query(AgencyClaim).count() == 1  # drafts replaced
    claim = session.query(AgencyClaim).one()

    admin = AdminFactory().actor
    with pytest.raises(NotFound):
        confirm_claim(session, staff(), claim, clock=clock)
    confirm_claim(session, admin, claim, clock=clock)
    assert balance(session, Account.VOUCHER_FUND, family.district_code) == 21744
    assert balance(session, Account.AGENCY_PAYABLE, claim.agency_id) == -(21744 + 3836)
    with pytest.raises(Conflict):
        confirm_claim(session, admin, claim, clock=clock)
    pay_claim(session, admin, claim, clock=clock)
    assert balance(session, Account.AGENCY_PAYABLE, claim.agency_id) == 0
    assert balance(session, Account.CANCELLATION_FEES, claim.agency_id) == 0
    assert balance(session, Account.SETTLEMENT_BANK) == -38370
    assert build_claims(session, "2026-03", tariffs=TARIFFS, clock=clock).claims == 0
    assert claim.state == "paid"  # confirmed claims are never rebuilt
    assert_ledger_agrees(session)


def test_late_changes_go_to_the_next_month_as_corrections(session, clock, family, pricing):
    booking = confirmed_booking(session, clock, family, pricing, SETUP)
    pay(session, clock, booking)
    clock.instant = APRIL
    assert lock_month(session, "2026-03", tariffs=TARIFFS, clock=clock).items == 0
    # the visit is reported late, after March was confirmed
    from service.accounts.models import User

    actor = session.get(User, booking.caregiver.user_id).actor
    booking.state = "in_progress"
    visits.check_out(session, actor, booking.id, clock=clock)
    sync(session, booking, SETUP, clock)
    clock.instant = datetime(2026, 5, 1, 9, tzinfo=SEOUL)
    locked = lock_month(session, "2026-04", tariffs=TARIFFS, clock=clock)
    assert (locked.items, locked.corrections) == (1, 1)


def test_reason_codes_no_tier_and_unqualified_caregiver(session, clock, family, pricing):
    give_tier(session, family, clock)
    untrained = caregiver(user=True, training_hours=40)
    booking = confirmed_booking(session, clock, family, pricing, SETUP, helper=untrained)
    pay(session, clock, booking)
    visit(session, clock, booking)
    clock.instant = APRIL
    lock_month(session, "2026-03", tariffs=TARIFFS, clock=clock)
    build_claims(session, "2026-03", tariffs=TARIFFS, clock=clock)
    (line,) = claim_lines(session, session.query(AgencyClaim).one())
    assert (line.reason, line.status, line.claimed_government) == (
        "unqualified_caregiver",
        "rejected",
        0,
    )


def test_agencies_see_only_their_claims(session, clock):
    from tests.factories import StaffFactory

    other = StaffFactory(agency_id=2).actor
    query = claims_for_actor(session, other)
    assert "agency_id" in str(query)
    assert claims_for_actor(session, parent_of_nobody()).whereclause is not None


def parent_of_nobody():
    from tests.factories import ParentFactory

    return ParentFactory().actor


def test_caregiver_add_ons_per_service_and_children():
    from vouchers.caregiver_statements import hourly_add_ons

    pay = TARIFFS.for_date(datetime(2024, 6, 1).date()).caregiver_pay
    assert hourly_add_ons(pay, "basic", 1) == 0
    assert hourly_add_ons(pay, "comprehensive", 1) == 3480
    assert hourly_add_ons(pay, "sick", 2) == 3040 + 5055
    assert hourly_add_ons(pay, "basic", 3) == 5055 + 10110


def test_a_caregivers_statement_counts_visits_and_fees(session, clock, family, pricing):
    from vouchers.caregiver_statements import statements

    helper = caregiver(user=True)
    booking = confirmed_booking(session, clock, family, pricing, SETUP, helper=helper)
    pay(session, clock, booking)
    visit(session, clock, booking)
    late = confirmed_booking(
        session,
        clock,
        family,
        pricing,
        SETUP,
        key="k9",
        helper=helper,
        start=TUESDAY_9 + timedelta(days=1),
    )
    clock.instant = late.starts_at - timedelta(hours=3)
    cancel_booking(
        session, parent_of(family), late, reason="", waived=False, pricing=pricing, clock=clock
    )
    sync(session, late, SETUP, clock)
    clock.instant = APRIL
    lock_month(session, "2026-03", tariffs=TARIFFS, clock=clock)
    (statement,) = statements(session, booking.agency_id, "2026-03", TARIFFS)
    # 2 h of basic care with one child at 10,110 an hour, and the 12,790 fee in full (R-CG-3)
    assert (statement.visits, statement.minutes, statement.base, statement.add_ons) == (
        1,
        120,
        20220,
        0,
    )
    assert (statement.fees, statement.total) == (12790, 20220 + 12790)


def test_paying_twice_the_fee_removes_a_strike(session, clock, family, pricing):
    """R-CAN-3: the fee is charged a second time, the cancellation stops counting, and the
    agency's claim carries both fees."""
    from booking.requests import strikes_this_month
    from vouchers.booking_payments import buy_back_strike

    late = confirmed_booking(session, clock, family, pricing, SETUP)
    clock.instant = late.starts_at - timedelta(hours=3)
    cancel_booking(
        session, parent_of(family), late, reason="", waived=False, pricing=pricing, clock=clock
    )
    sync(session, late, SETUP, clock)
    assert strikes_this_month(session, family.id, pricing=pricing, clock=clock) == 1
    with pytest.raises(NotFound):
        buy_back_strike(session, staff(), late, clock=clock)
    buy_back_strike(session, parent_of(family), late, clock=clock)
    buy_back_strike(session, parent_of(family), late, clock=clock)  # a double click: once
    assert strikes_this_month(session, family.id, pricing=pricing, clock=clock) == 0
    assert balance(session, Account.CANCELLATION_FEES, late.agency_id) == -2 * 12790
    assert_ledger_agrees(session)
    clock.instant = APRIL
    lock_month(session, "2026-03", tariffs=TARIFFS, clock=clock)
    build_claims(session, "2026-03", tariffs=TARIFFS, clock=clock)
    assert session.query(AgencyClaim).one().fees == 2 * 12790


def test_a_free_cancellation_has_no_strike_to_pay_off(session, clock, family, pricing):
    from vouchers.booking_payments import buy_back_strike

    booking = confirmed_booking(
        session, clock, family, pricing, SETUP, start=TUESDAY_9 + timedelta(days=2)
    )
    cancel_booking(
        session, parent_of(family), booking, reason="", waived=False, pricing=pricing, clock=clock
    )
    with pytest.raises(Conflict) as caught:
        buy_back_strike(session, parent_of(family), booking, clock=clock)
    assert caught.value.code == "no_strike_to_remove"


def test_a_full_day_contract_is_paid_for_the_month_in_advance_and_claimed_once(
    session, clock, family, pricing
):
    """R-PAY-3: the confirmed contract gets one virtual account for the month, due before it
    starts; its visits cost nothing more, and the month is claimed as one contract line."""
    from datetime import date, time

    from booking.series import SeriesDraft, assign_series, confirm_series, submit_series
    from tests.booking.conftest import LIMITS
    from tests.factories import ChildFactory
    from vouchers.booking_payments import sync_contract

    infant = ChildFactory(household=family, birth_date=date(2025, 6, 1), state="regular")
    draft = SeriesDraft(
        month=date(2026, 4, 1),
        weekdays=(0,),
        starts_at=time(9),
        ends_at=time(17),
        child_ids=(infant.id,),
        service="infant_fullday",
    )
    series = submit_series(session, parent_of(family), draft, pricing=pricing, clock=clock)
    helper = caregiver(user=True)
    assign_series(session, staff(), series.id, helper.id, reason="", limits=LIMITS, clock=clock)
    confirm_series(session, staff(), series.id, clock=clock)
    payment = sync_contract(session, series, setup=SETUP, tariffs=TARIFFS, clock=clock)
    assert sync_contract(session, series, setup=SETUP, tariffs=TARIFFS, clock=clock) is payment
    # 80 h billed × 12,790 (2026 infant full-day, full price): 1,023,200, due by 1 April 00:00
    assert (payment.purpose, payment.amount) == ("contract", 1_023_200)
    assert payment.due_at == datetime(2026, 4, 1, 0, 0, tzinfo=SEOUL)
    assert balance(session, Account.PARENT_RECEIVABLE, family.id) == 1_023_200
    record_deposit(session, DepositNotice("C1", payment.account_number, 1_023_200), clock=clock)
    assert payment.state == "captured"
    assert balance(session, Account.PARENT_RECEIVABLE, family.id) == 0
    clock.instant = datetime(2026, 5, 1, 9, tzinfo=SEOUL)
    assert lock_month(session, "2026-04", tariffs=TARIFFS, clock=clock).items == 1
    build_claims(session, "2026-04", tariffs=TARIFFS, clock=clock)
    claim = session.query(AgencyClaim).one()
    assert (claim.total, claim.parent, claim.lines) == (1_023_200, 1_023_200, 1)


def test_a_change_to_a_locked_visit_comes_as_a_correction_line(session, clock, family, pricing):
    """An extension reported after March was locked: April claims the difference only."""
    from service.accounts.models import User

    booking = confirmed_booking(session, clock, family, pricing, SETUP)
    pay(session, clock, booking)
    visit(session, clock, booking)
    clock.instant = APRIL
    assert lock_month(session, "2026-03", tariffs=TARIFFS, clock=clock).items == 1
    actor = session.get(User, booking.caregiver.user_id).actor
    visits.record_extension(session, actor, booking.id, 30, "agreed with the agency", clock=clock)
    sync(session, booking, SETUP, clock)
    clock.instant = datetime(2026, 5, 1, 9, tzinfo=SEOUL)
    locked = lock_month(session, "2026-04", tariffs=TARIFFS, clock=clock)
    assert (locked.items, locked.corrections) == (1, 1)
    assert lock_month(session, "2026-04", tariffs=TARIFFS, clock=clock).items == 0  # once
    build_claims(session, "2026-04", tariffs=TARIFFS, clock=clock)
    (line,) = claim_lines(session, session.query(AgencyClaim).filter_by(month="2026-04").one())
    # half an hour more of a 2-hour 25,580 booking: 25,580 × 30 / 120 = 6,395 (no tier)
    assert (line.minutes, line.total, line.parent, line.reason) == (30, 6395, 6395, "")
    assert line.source == f"booking:{booking.id}:2"
    # the family was charged the extension too: 6,395 more owed, beyond its deposit
    assert balance(session, Account.PARENT_RECEIVABLE, family.id) == 6395
    assert_ledger_agrees(session)


@pytest.mark.parametrize(
    ("groups", "claimed", "status"),
    [((), 20000, "adjusted"), (("single_parent",), 40000, "accepted")],
)
def test_the_annual_cap_adjusts_the_line_that_crosses_it(
    session, clock, family, groups, claimed, status
):
    """R-SUP-10 (2026): 960 subsidised hours a year, 1,080 for single parents and other groups.
    With 958 h claimed already, a 4-hour visit gets half its government share."""
    from vouchers.settlement import SettlementItem

    give_tier(session, family, clock, groups=groups)

    def line(source, month, day, minutes, government):
        helper = caregiver()  # the year's earlier hours, summed in one line, by someone else
        starts = datetime(2026, int(month[5:]), day, 9, tzinfo=SEOUL)
        session.add(
            SettlementItem(
                source=source,
                month=month,
                service_month=month,
                kind="visit",
                agency_id=helper.agency_id,
                household_id=family.id,
                district_code="11680",
                caregiver_id=helper.id,
                service="basic",
                starts_at=starts,
                ends_at=starts + timedelta(minutes=minutes),
                minutes=minutes,
                children=1,
                tier="ga",
                total=government,
                government=government,
                claimed_government=government,
                parent=0,
            )
        )

    line("earlier", "2026-04", 1, 958 * 60, 1_000_000)
    line("crossing", "2026-05", 4, 4 * 60, 40000)
    session.flush()
    clock.instant = datetime(2026, 6, 1, 9, tzinfo=SEOUL)
    build_claims(session, "2026-05", tariffs=TARIFFS, clock=clock)
    (crossing,) = [i for i in session.query(SettlementItem) if i.source == "crossing"]
    assert (crossing.claimed_government, crossing.status) == (claimed, status)
    assert crossing.reason == ("over_cap" if status == "adjusted" else "")


def test_a_waived_cancellation_still_pays_the_caregiver_one_hourly_fee(
    session, clock, family, pricing
):
    """R-CAN-2, R-CG-3: the child fell ill (with a document): the family pays nothing, and the
    programme pays the caregiver one hourly basic fee, 12,790 won in 2026, from the voucher fund."""
    from vouchers.caregiver_statements import statements

    booking = confirmed_booking(session, clock, family, pricing, SETUP)
    clock.instant = booking.starts_at - timedelta(minutes=30)
    cancel_booking(
        session,
        parent_of(family),
        booking,
        reason="아이가 아파요",
        waived=True,
        pricing=pricing,
        clock=clock,
    )
    sync(session, booking, SETUP, clock)
    assert booking.cancellation_fee == 0
    assert balance(session, Account.VOUCHER_FUND, family.district_code) == 12790
    assert balance(session, Account.CANCELLATION_FEES, booking.agency_id) == -12790
    assert balance(session, Account.PARENT_RECEIVABLE, family.id) == 0
    assert_ledger_agrees(session)
    clock.instant = APRIL
    lock_month(session, "2026-03", tariffs=TARIFFS, clock=clock)
    build_claims(session, "2026-03", tariffs=TARIFFS, clock=clock)
    claim = session.query(AgencyClaim).one()
    assert (claim.fees, claim.payable) == (12790, 12790)
    (statement,) = statements(session, booking.agency_id, "2026-03", TARIFFS)
    assert (statement.visits, statement.fees) == (0, 12790)
