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
from pathlib import Path

import sqlalchemy as sa
from national import (
    DEFAULT_URL,
    add_month_of_visits,
    copy_database,
    drop_database,
    ensure_template,
    settle_month,
)

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


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


def ledger_balances(url: str) -> tuple[int, int]:
    """The voucher fund's and the settlement bank's balances now."""
    engine = sa.create_engine(url)
    with engine.connect() as connection:
        fund, bank = (
            connection.execute(sa.text(BALANCE), {"a": account}).scalar() or 0
            for account in ("voucher_fund", "settlement_bank")
        )
    engine.dispose()
    return fund, bank


def ledger_settled(url: str, month: str, before: tuple[int, int]) -> bool:
    """Every transaction balances; settling the month claimed its government share from the
    districts' funds, and the bank paid out every claim's payable (the template database holds
    an earlier settled month, so the balances are compared with what they were before)."""
    engine = sa.create_engine(url)
    with engine.connect() as connection:
        unbalanced = connection.execute(sa.text(UNBALANCED)).scalar()
        claimed, payable = connection.execute(
            sa.text("SELECT sum(government), sum(payable) FROM agency_claims WHERE month = :m"),
            {"m": month},
        ).one()
    engine.dispose()
    fund, bank = (now - then for now, then in zip(ledger_balances(url), before, strict=True))
    print(
        f"  ledger: unbalanced transactions {unbalanced}; this month: voucher fund {fund:,}, "
        f"paid out {-bank:,}"
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
        states = add_month_of_visits(url, args.month, args.visits)
        print(
            f"generated {sum(states.values()):,} bookings of {args.month} in "
            f"{time.perf_counter() - started:.1f} s: "
            + ", ".join(f"{state} {count:,}" for state, count in sorted(states.items()))
        )
        before = ledger_balances(url)
        lock_seconds, build_seconds, pay_seconds, locked, built = settle_month(url, args.month)
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
        adds_up = check(url, args.month) and ledger_settled(url, args.month, before)
        print(f"claims add up to the items: {'OK' if adds_up else 'FAIL'}")
        sys.exit(0 if adds_up and total < 30 and peak_mb < 1024 else 1)
    finally:
        if args.keep:
            print(f"kept {url}")
        else:
            drop_database(url)


if __name__ == "__main__":
    main()
