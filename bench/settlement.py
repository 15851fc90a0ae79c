"""Monthly settlement benchmark, on PostgreSQL with the national-scale demo data.

A copy of ``dolbom_bench`` (CREATE DATABASE ... TEMPLATE) gets one month of visits at national
volume, made with set-based SQL (300,000 bookings by default: ~97% completed, ~1% no-shows, ~2%
cancellations with a fee; one child each; one caregiver of the household's agency, never two
visits of a caregiver or a child at once; a tier decision for most subsidised households). Then
it times ``lock_month`` + commit and ``build_claims`` + commit, and checks that the claims add up
to the locked items. Target: under 30 s in all and under 1 GB peak RSS (this process); the exit
status is 1 when a target is missed or the sums differ.

``dolbom_bench`` is made on first use (see ``national.py``).

Run: ``make bench-settlement`` (or ``.venv/bin/python bench/settlement.py --month 2026-10
--visits 300000 [--keep]``).
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from datetime import timedelta
from pathlib import Path

import sqlalchemy as sa
from national import DEFAULT_URL, copy_database, drop_database, ensure_template
from sqlalchemy.orm import Session

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from core.actors import Actor, Role  # noqa: E402
from core.clock import FixedClock  # noqa: E402
from vouchers.claims import BuildResult, build_claims, confirm_claim, pay_claim  # noqa: E402
from vouchers.settlement import AgencyClaim, LockResult, lock_month, month_bounds  # noqa: E402
from vouchers.tariffs import Service, default_tariff_book  # noqa: E402

# each household is served by one of the agencies of its district; the share the government
# pays by tier is a plausible figure, not the tariff's (settlement copies, it does not price)
GENERATE = [
    """CREATE TEMP TABLE bench_household AS
    WITH served AS (
        SELECT district_code, agency_id,
               row_number() OVER (PARTITION BY district_code ORDER BY agency_id) - 1 AS k,
               count(*) OVER (PARTITION BY district_code) AS n
        FROM agency_districts
        WHERE agency_id IN (SELECT agency_id FROM caregivers WHERE active))
    SELECT row_number() OVER (ORDER BY h.id) - 1 AS seq, h.id, h.applicant_user_id, s.agency_id,
           c.child_id, (ARRAY['ga', 'na', 'da', 'ra', 'ma', 'none'])[h.id % 6 + 1] AS tier
    FROM households h
    JOIN served s ON s.district_code = h.district_code AND s.k = h.id % s.n
    JOIN (SELECT household_id, min(id) AS child_id FROM children GROUP BY household_id) c
      ON c.household_id = h.id""",
    """CREATE TEMP TABLE bench_caregiver AS
    SELECT id, agency_id, row_number() OVER (PARTITION BY agency_id ORDER BY id) - 1 AS idx,
           count(*) OVER (PARTITION BY agency_id) AS cnt
    FROM caregivers WHERE active""",
    # a household's k-th visit falls on day (7·id + 11·k) mod days: distinct days for k < days;
    # the r-th visit of an agency on a day goes to caregiver r mod cnt, in 3-hour slot r div cnt
    """CREATE TEMP TABLE bench_visit AS
    WITH drawn AS (
        SELECT n, h.id AS household_id, h.applicant_user_id, h.agency_id, h.child_id, h.tier,
               (h.id * 7 + (n / :households) * 11) % :days AS day,
               abs(hashint4(n)) % 100 AS draw, abs(hashint4(-n - 1)) % 10 AS service_draw
        FROM generate_series(0, CAST(:visits AS integer) - 1) AS n
        JOIN bench_household h ON h.seq = n % :households),
    placed AS (
        SELECT d.*, row_number() OVER (PARTITION BY agency_id, day ORDER BY n) - 1 AS r
        FROM drawn d),
    priced AS (
        SELECT p.*, c.id AS caregiver_id, p.r / c.cnt AS slot,
               CASE WHEN p.service_draw = 0 THEN 'comprehensive' ELSE 'basic' END AS service,
               CASE WHEN p.draw = 0 THEN 'no_show' WHEN p.draw < 3 THEN 'cancelled'
                    ELSE 'completed' END AS state,
               3 * CASE WHEN p.service_draw = 0 THEN :comprehensive_fee ELSE :basic_fee END
                 AS total
        FROM placed p JOIN bench_caregiver c ON c.agency_id = p.agency_id AND c.idx = p.r % c.cnt)
    SELECT *, :start + make_interval(hours => (24 * day + 7 + 3 * slot)::int) AS starts_at,
           total * CASE tier WHEN 'ga' THEN 85 WHEN 'na' THEN 60 WHEN 'da' THEN 40
                             WHEN 'ra' THEN 20 WHEN 'ma' THEN 10 ELSE 0 END / 100 AS government
    FROM priced""",
    """INSERT INTO bookings (household_id, agency_id, caregiver_id, kind, service, starts_at,
        ends_at, state, urgent, total, government, parent, tariff_year, tier, capped_minutes,
        price_lines, sick_note, notes, assignment_reason, cancellation_fee, cancellation_waived,
        extension_minutes, checked_in_at, checked_out_at, requested_by_user_id, request_key,
        created_at)
    SELECT household_id, agency_id, caregiver_id, 'adhoc', service, starts_at,
        starts_at + interval '3 hours', state, false, total, government, total - government,
        :year, tier, CASE WHEN government > 0 THEN 180 ELSE 0 END, '[]', '', '', '',
        CASE WHEN state = 'cancelled' THEN total / 2 ELSE 0 END, false,
        CASE WHEN state = 'completed' AND n % 50 = 7 THEN 30 ELSE 0 END,
        CASE WHEN state = 'completed' THEN starts_at END,
        CASE WHEN state = 'completed' THEN starts_at + interval '3 hours' END,
        applicant_user_id, 'bench-settlement-' || n, starts_at - interval '5 days'
    FROM bench_visit ORDER BY n""",
    """INSERT INTO booked_children (booking_id, child_id, starts_at, ends_at, active)
    SELECT b.id, v.child_id, b.starts_at, b.ends_at, b.state <> 'cancelled'
    FROM bench_visit v
    JOIN bookings b ON b.household_id = v.household_id
     AND b.request_key = 'bench-settlement-' || v.n""",
    # one household in two hundred has no tier decision: its subsidised lines are rejected
    """INSERT INTO tier_decisions (household_id, tier, suggested_tier, groups, valid_from,
        valid_until, effective_until, inputs, reason, decided_by_user_id, decided_at)
    SELECT id, tier, tier, '[]', :year_start, :year_end, :year_end, '{}', 'benchmark',
        (SELECT min(id) FROM users WHERE role = 'admin'), :year_start
    FROM bench_household
    WHERE tier <> 'none' AND id % 200 <> 0
      AND id NOT IN (SELECT household_id FROM tier_decisions)  -- hashed: probed, not rescanned""",
]


def generate(url: str, month: str, visits: int) -> dict[str, int]:
    start, end = month_bounds(month)
    tariff = default_tariff_book().for_date(start.date())
    year = start.year
    engine = sa.create_engine(url)
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.exec_driver_sql("ANALYZE")  # fresh demo data has no statistics yet
    with engine.begin() as connection:
        connection.execute(sa.text(GENERATE[0]))
        households = connection.exec_driver_sql("SELECT count(*) FROM bench_household").scalar()
        days = (end - start).days
        if visits > households * days:
            raise SystemExit(f"at most {households * days} visits a month with these households")
        params = {
            "households": households,
            "days": days,
            "visits": visits,
            "start": start,
            "year": year,
            "year_start": start.date().replace(month=1, day=1),
            "year_end": start.date().replace(month=12, day=31),
            "basic_fee": tariff.fees[Service.BASIC],
            "comprehensive_fee": tariff.fees[Service.COMPREHENSIVE],
        }
        for statement in GENERATE[1:]:
            connection.execute(sa.text(statement), params)
        slots = connection.exec_driver_sql("SELECT max(slot) FROM bench_visit").scalar()
        if slots > 4:  # 07:00 + 3 h × 5 slots ends at 22:00 Seoul, within the day
            raise SystemExit(f"too many visits per caregiver and day ({slots + 1} slots)")
        states = dict(
            connection.exec_driver_sql(
                "SELECT state, count(*) FROM bench_visit GROUP BY state"
            ).all()
        )
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.exec_driver_sql("VACUUM ANALYZE bookings, booked_children, tier_decisions")
    engine.dispose()
    return states


def settle(url: str, month: str) -> tuple[float, float, float, LockResult, BuildResult]:
    """The measured part: lock the month, commit; build the claims, commit; confirm and pay
    every agency's claim (the voucher claim and the payment posted to the ledger), commit."""
    _, end = month_bounds(month)
    clock = FixedClock(end + timedelta(days=1, hours=9))
    tariffs = default_tariff_book()
    engine = sa.create_engine(url)
    with Session(engine) as session:
        started = time.perf_counter()
        locked = lock_month(session, month, tariffs=tariffs, clock=clock)
        session.commit()
        middle = time.perf_counter()
        built = build_claims(session, month, tariffs=tariffs, clock=clock)
        session.commit()
        built_at = time.perf_counter()
        admin = Actor(user_id=0, role=Role.ADMIN)
        for claim in session.scalars(sa.select(AgencyClaim).where(AgencyClaim.month == month)):
            confirm_claim(session, admin, claim, clock=clock)
            pay_claim(session, admin, claim, clock=clock)
        session.commit()
        finished = time.perf_counter()
    engine.dispose()
    return middle - started, built_at - middle, finished - built_at, locked, built


# the same seven sums from both sides: lines, total, government, parent, fees, refunds, payable
ITEM_SUMS = """SELECT count(*), sum(total), sum(claimed_government), sum(parent), sum(fee),
    sum(refund), sum(claimed_government + parent + fee - refund)
    FROM settlement_items WHERE month = :m"""
CLAIM_SUMS = """SELECT sum(lines), sum(total), sum(government), sum(parent), sum(fees),
    sum(refunds), sum(payable) FROM agency_claims WHERE month = :m"""
REASONS = """SELECT reason, status, count(*) FROM settlement_items
    WHERE month = :m AND reason <> '' GROUP BY 1, 2 ORDER BY 1, 2"""


def check(url: str, month: str) -> bool:
    """The claims add up to the locked items of the month, to the won."""
    engine = sa.create_engine(url)
    with engine.connect() as connection:
        items, claims = (
            connection.execute(sa.text(sql), {"m": month}).one() for sql in (ITEM_SUMS, CLAIM_SUMS)
        )
        reasons = connection.execute(sa.text(REASONS), {"m": month}).all()
    engine.dispose()
    labels = ("lines", "total", "government", "parent", "fees", "refunds", "payable")
    for label, mine, theirs in zip(labels, items, claims, strict=True):
        print(f"  {label:<10} items {mine:>16,}  claims {theirs:>16,}")
    print("  reasons: " + (", ".join(f"{r} ({s}) {n:,}" for r, s, n in reasons) or "none"))
    return tuple(items) == tuple(claims)


def ledger_settled(url: str, month: str) -> bool:
    """Every transaction balances; the districts' funds were claimed the government share, and
    the bank paid out every claim's payable."""
    engine = sa.create_engine(url)
    with engine.connect() as connection:
        unbalanced = connection.execute(sa.text(UNBALANCED)).scalar()
        fund, bank = (
            connection.execute(sa.text(BALANCE), {"a": account}).scalar() or 0
            for account in ("voucher_fund", "settlement_bank")
        )
        claimed, payable = connection.execute(
            sa.text("SELECT sum(government), sum(payable) FROM agency_claims WHERE month = :m"),
            {"m": month},
        ).one()
    engine.dispose()
    print(
        f"  ledger: unbalanced transactions {unbalanced}, voucher fund {fund:,}, paid out {-bank:,}"
    )
    return unbalanced == 0 and fund == claimed and -bank == payable


UNBALANCED = """SELECT count(*) FROM (SELECT transaction_id FROM ledger_entries
    GROUP BY transaction_id HAVING sum(amount) <> 0) AS t"""
BALANCE = "SELECT sum(amount) FROM ledger_entries WHERE account = :a"


def main() -> None:
    parser = argparse.ArgumentParser(description="Dolbom monthly settlement benchmark")
    parser.add_argument("--database-url", default=DEFAULT_URL)
    parser.add_argument("--month", default="2026-10", help="YYYY-MM, Seoul time")
    parser.add_argument("--visits", type=int, default=300_000)
    parser.add_argument("--keep", action="store_true", help="keep the copied database")
    args = parser.parse_args()
    ensure_template(args.database_url)
    url = copy_database(args.database_url)
    try:
        started = time.perf_counter()
        states = generate(url, args.month, args.visits)
        print(
            f"generated {sum(states.values()):,} bookings of {args.month} in "
            f"{time.perf_counter() - started:.1f} s: "
            + ", ".join(f"{state} {count:,}" for state, count in sorted(states.items()))
        )
        lock_seconds, build_seconds, pay_seconds, locked, built = settle(url, args.month)
        total = lock_seconds + build_seconds + pay_seconds
        peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"{'step':<24}{'seconds':>10}")
        print(f"{'lock_month + commit':<24}{lock_seconds:>10.2f}")
        print(f"{'build_claims + commit':<24}{build_seconds:>10.2f}")
        print(f"{'confirm + pay all':<24}{pay_seconds:>10.2f}")
        print(f"{'total':<24}{total:>10.2f}   (target < 30 s)")
        print(f"peak RSS: {peak_mb:.0f} MB (target < 1024 MB)")
        print(
            f"items {locked.items:,} (corrections {locked.corrections:,}), "
            f"claims {built.claims:,}, lines {built.lines:,}, "
            f"rejected or adjusted {built.rejected:,}"
        )
        adds_up = check(url, args.month) and ledger_settled(url, args.month)
        print(f"claims add up to the items: {'OK' if adds_up else 'FAIL'}")
        sys.exit(0 if adds_up and total < 30 and peak_mb < 1024 else 1)
    finally:
        if args.keep:
            print(f"kept {url}")
        else:
            drop_database(url)


if __name__ == "__main__":
    main()
