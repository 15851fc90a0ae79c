"""The national-scale benchmark database, shared by the booking and settlement benchmarks.

``dolbom_bench`` holds the national demo data (231 agencies, about 30,000 caregivers and 140,000
households) and a month of visits before the booking benchmark's Monday (February 2026, 300,000
bookings): a service in use, whose families know their caregivers and whose tables and statistics
are not empty. It is made on first use (``flask db upgrade``, ``flask demo-data --scale national``
and the month of visits, about three and a half minutes), upgraded to the head migration when it
exists, and compared with the models (``flask db check``: a head migration edited in place is
caught). Each run works on a copy, so that it can be run again.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from datetime import timedelta
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.orm import Session

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from core.actors import Actor, Role  # noqa: E402
from core.clock import FixedClock  # noqa: E402
from vouchers.claims import BuildResult, build_claims, confirm_claim, pay_claim  # noqa: E402
from vouchers.settlement import AgencyClaim, LockResult, lock_month, month_bounds  # noqa: E402
from vouchers.tariffs import Service, default_tariff_book  # noqa: E402

HISTORY_MONTH, HISTORY_VISITS = "2026-02", 300_000
DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/dolbom_bench"


def ensure_template(url: str) -> None:
    """Create ``dolbom_bench`` with national demo data when missing; upgrade it to head."""
    target = sa.engine.make_url(url)
    admin = sa.create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        found = connection.scalar(
            sa.text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": target.database}
        )
        if not found:
            connection.exec_driver_sql(f'CREATE DATABASE "{target.database}"')
    admin.dispose()
    flask = [sys.executable, "-m", "flask", "--app", "wsgi"]
    env = {**os.environ, "DATABASE_URL": url}
    subprocess.run([*flask, "db", "upgrade"], cwd=ROOT, env=env, check=True)
    checked = subprocess.run([*flask, "db", "check"], cwd=ROOT, env=env, capture_output=True)
    if checked.returncode:  # e.g. the head migration was edited after dolbom_bench was made
        raise SystemExit(
            f"{target.database} does not match the models (flask db check): drop it to have "
            "it rebuilt, or bring it in line by hand\n" + checked.stderr.decode()[-600:]
        )
    engine = sa.create_engine(url)
    with engine.connect() as connection:
        households = connection.exec_driver_sql("SELECT count(*) FROM households").scalar()
    engine.dispose()
    if not households:
        print("loading the national demo data (about two minutes)...", flush=True)
        command = [*flask, "demo-data", "--scale", "national"]
        subprocess.run(command, cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)
    engine = sa.create_engine(url)
    with engine.connect() as connection:
        history, settled = connection.execute(
            sa.text(
                "SELECT EXISTS (SELECT 1 FROM bookings WHERE request_key = :key), "
                "EXISTS (SELECT 1 FROM agency_claims WHERE month = :month)"
            ),
            {"key": f"bench-{HISTORY_MONTH}-0", "month": HISTORY_MONTH},
        ).one()
    engine.dispose()
    if not history:
        print(f"adding the visits of {HISTORY_MONTH} (under a minute)...", flush=True)
        add_month_of_visits(url, HISTORY_MONTH, HISTORY_VISITS)
    if not settled:  # a past month is settled: left open, a later lock takes it as corrections
        print(f"settling {HISTORY_MONTH} (under a minute)...", flush=True)
        settle_month(url, HISTORY_MONTH)


def copy_database(url: str) -> str:
    source = sa.engine.make_url(url)
    name = f"dolbom_bench_run_{uuid.uuid4().hex[:6]}"
    admin = sa.create_engine(source.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        # a file copy, not 150 MB written through the WAL and flushed while the benchmark runs
        version = connection.exec_driver_sql("SHOW server_version_num").scalar()
        strategy = " STRATEGY FILE_COPY" if int(version) >= 150000 else ""
        connection.exec_driver_sql(
            f'CREATE DATABASE "{name}" TEMPLATE "{source.database}"{strategy}'
        )
    admin.dispose()
    return source.set(database=name).render_as_string(hide_password=False)


def machine_pace() -> float:
    """Milliseconds a fixed pure-Python loop takes now, on one core. This shared machine has slow
    spells; a reading beside each phase tells a slow spell from a slow change."""
    started = time.perf_counter()
    total = 0
    for number in range(1_000_000):
        total += number % 7
    return (time.perf_counter() - started) * 1000


def flush_to_disk(url: str) -> None:
    """Write the preparation's changes to disk before measuring: a checkpoint flushing them
    mid-run would stall commits and show up as latency that is not the application's."""
    admin = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.exec_driver_sql("VACUUM ANALYZE")
        connection.exec_driver_sql("CHECKPOINT")
    admin.dispose()
    os.sync()


def drop_database(url: str) -> None:
    target = sa.engine.make_url(url)
    admin = sa.create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{target.database}" WITH (FORCE)')
    admin.dispose()


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
        applicant_user_id, 'bench-' || :month || '-' || n, starts_at - interval '5 days'
    FROM bench_visit ORDER BY n""",
    """INSERT INTO booked_children (booking_id, child_id, starts_at, ends_at, active)
    SELECT b.id, v.child_id, b.starts_at, b.ends_at, b.state <> 'cancelled'
    FROM bench_visit v
    JOIN bookings b ON b.household_id = v.household_id
     AND b.request_key = 'bench-' || :month || '-' || v.n""",
    # one household in two hundred has no tier decision: its subsidised lines are rejected
    """INSERT INTO tier_decisions (household_id, tier, suggested_tier, groups, valid_from,
        valid_until, effective_until, inputs, reason, decided_by_user_id, decided_at)
    SELECT id, tier, tier, '[]', :year_start, :year_end, :year_end, '{}', 'benchmark',
        (SELECT min(id) FROM users WHERE role = 'admin'), :year_start
    FROM bench_household
    WHERE tier <> 'none' AND id % 200 <> 0
      AND id NOT IN (SELECT household_id FROM tier_decisions)  -- hashed: probed, not rescanned""",
]


def add_month_of_visits(url: str, month: str, visits: int) -> dict[str, int]:
    """A month of visits at national volume, made with set-based SQL: about 97% completed, 1%
    no-shows and 2% cancellations with a fee; one child each; one caregiver of the household's
    agency, never two visits of a caregiver or a child at once; a tier decision for most
    subsidised households. Returns the number of bookings by state."""
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
            "month": month,
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


def settle_month(url: str, month: str) -> tuple[float, float, float, LockResult, BuildResult]:
    """Lock the month, commit; build the claims, commit; confirm and pay every agency's claim
    (the voucher claim and the payment posted to the ledger), commit. Returns the three steps'
    seconds (the settlement benchmark's measure) and what the lock and the build did."""
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
