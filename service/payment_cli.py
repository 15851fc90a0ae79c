"""Scheduled payment and settlement jobs: ``flask --app wsgi payments …`` / ``settlement …``.

Run ``payments work`` every minute, ``payments authorise-due`` and ``payments expire-unpaid``
every few minutes, ``payments reconcile`` nightly and ``settlement lock|build`` monthly.
"""

from __future__ import annotations

import sys

import click
from flask.cli import AppGroup

from vouchers.claims import build_claims
from vouchers.payment_jobs import authorise_due, expire_unpaid
from vouchers.reconciliation import reconcile
from vouchers.settlement import lock_month

from .context import current_clock
from .extensions import db
from .payments import payment_setup, run_payment_commands
from .quotes import tariff_book

payments_cli = AppGroup("payments", help="The National Happiness Card jobs.")
settlement_cli = AppGroup("settlement", help="Monthly settlement with the agencies.")


@payments_cli.command("work")
@click.option("--limit", type=int, default=1000, show_default=True)
def work_command(limit: int) -> None:
    """Carry out planned card holds, captures, releases and refunds."""
    click.echo(f"{run_payment_commands(limit)} payment commands done")


@payments_cli.command("authorise-due")
def authorise_due_command() -> None:
    """Plan the card holds for care that is now near enough (holds expire after a week)."""
    count = authorise_due(db.session, clock=current_clock())
    db.session.commit()
    click.echo(f"{count} holds planned")


@payments_cli.command("expire-unpaid")
def expire_unpaid_command() -> None:
    """Cancel bookings whose virtual account was not paid in time (R-PAY-1)."""
    count = expire_unpaid(db.session, clock=current_clock())
    db.session.commit()
    click.echo(f"{count} unpaid bookings cancelled")


@payments_cli.command("reconcile")
def reconcile_command() -> None:
    """Compare the ledger with the payments and the payments with the processor."""
    differences = reconcile(db.session, payment_setup().card)
    db.session.rollback()
    for difference in differences:
        click.echo(f"{difference.kind}\t{difference.reference}\t{difference.detail}")
    click.echo(f"{len(differences)} differences")
    if differences:
        sys.exit(1)


@settlement_cli.command("lock")
@click.argument("month")
def lock_command(month: str) -> None:
    """Lock MONTH (YYYY-MM) into the settlement snapshot."""
    result = lock_month(db.session, month, tariffs=tariff_book(), clock=current_clock())
    db.session.commit()
    click.echo(f"{result.items} items locked ({result.corrections} corrections)")


@settlement_cli.command("build")
@click.argument("month")
def build_command(month: str) -> None:
    """Build MONTH's draft claims, one per agency."""
    result = build_claims(db.session, month, tariffs=tariff_book(), clock=current_clock())
    db.session.commit()
    click.echo(f"{result.claims} claims, {result.lines} lines, {result.rejected} rejected")
