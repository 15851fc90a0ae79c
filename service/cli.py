"""Command-line tasks: ``flask --app wsgi <command>``."""

from __future__ import annotations

import click
from flask import Flask, current_app
from tqdm import tqdm

from booking.reference_data import load_reference_data
from core.actors import Role

from .accounts.service import create_user
from .context import current_clock
from .demo_data import DEMO_LOGINS, DEMO_PASSWORD, SCALES, build_demo_data
from .demo_payments import demo_money
from .extensions import db
from .payment_cli import payments_cli, settlement_cli
from .payments import payment_setup
from .quotes import tariff_book


def register_cli(app: Flask) -> None:
    app.cli.add_command(reference_data_command)
    app.cli.add_command(demo_data_command)
    app.cli.add_command(create_user_command)
    app.cli.add_command(deliver_notifications_command)
    app.cli.add_command(expire_offers_command)
    app.cli.add_command(payments_cli)
    app.cli.add_command(settlement_cli)


@click.command("reference-data")
def reference_data_command() -> None:
    """Load or refresh provinces, districts, community centres and agencies."""
    report = load_reference_data(db.session)
    db.session.commit()
    click.echo(
        f"{report.provinces} provinces, {report.districts} districts, "
        f"{report.community_centres} community centres, {report.agencies} agencies"
    )


@click.command("demo-data")
@click.option("--scale", type=click.Choice(sorted(SCALES)), default="small", show_default=True)
@click.option("--seed", type=int, default=2026, show_default=True)
@click.option("--if-empty", is_flag=True, help="Do nothing when demo data is already loaded.")
def demo_data_command(scale: str, seed: int, if_empty: bool) -> None:
    """Build a realistic demo country (deterministic for a seed) and print the demo logins."""
    chosen = SCALES[scale]
    bars: dict[str, tqdm] = {}
    totals = {
        "caregivers": chosen.caregivers,
        "households": chosen.households,
        "accounts": len(DEMO_LOGINS),
    }

    def progress(label: str, count: int) -> None:
        if label not in bars:
            bars[label] = tqdm(total=totals[label], desc=label, unit="rows", leave=True)
        bars[label].update(count)

    try:
        counts = build_demo_data(
            db.session, scale=chosen, seed=seed, clock=current_clock(), progress=progress
        )
        demo_money(db.session, setup=payment_setup(), tariffs=tariff_book(), clock=current_clock())
    except RuntimeError as error:
        db.session.rollback()
        if not if_empty:
            raise click.ClickException(str(error)) from error
        click.echo("Demo data is already loaded.")
    else:
        db.session.commit()
        click.echo(
            f"Loaded {counts['households']} households and {counts['caregivers']} caregivers."
        )
    finally:
        for bar in bars.values():
            bar.close()
    print_demo_logins()


def print_demo_logins() -> None:
    click.echo(f"\nDemo logins (password for all: {DEMO_PASSWORD}):")
    for login in DEMO_LOGINS:
        click.echo(f"  {login.role.value:<13} {login.email:<22} {login.note}")


@click.command("create-user")
@click.option("--email", required=True)
@click.option("--name", "display_name", required=True)
@click.option("--role", type=click.Choice([r.value for r in Role]), required=True)
@click.option("--agency-id", type=int, default=None)
@click.option("--district", "district_code", default=None)
@click.password_option()
def create_user_command(email, display_name, role, agency_id, district_code, password) -> None:
    """Create an account of any role (agency staff need --agency-id, officers --district)."""
    user = create_user(
        db.session,
        email=email,
        password=password,
        display_name=display_name,
        role=Role(role),
        agency_id=agency_id,
        district_code=district_code,
        clock=current_clock(),
    )
    db.session.commit()
    current_app.logger.info("created user %s", user.id)
    click.echo(f"Created {role} {email} (id {user.id}).")


@click.command("deliver-notifications")
@click.option("--loop", is_flag=True, help="Keep delivering every few seconds (a worker process).")
@click.option("--interval", type=float, default=5.0, show_default=True)
def deliver_notifications_command(loop: bool, interval: float) -> None:
    """Send the e-mail and SMS copies of new notifications (to the log in development)."""
    import time

    from .notifications import LogTransport, deliver_pending

    while True:
        count = deliver_pending(db.session, LogTransport(), clock=current_clock())
        db.session.commit()
        if count:
            click.echo(f"delivered {count} notifications")
        if not loop:
            break
        time.sleep(interval)


@click.command("expire-offers")
def expire_offers_command() -> None:
    """End automatic offers nobody accepted in time; their bookings go to the agency (R-BK-6)."""
    from booking.matching import expire_offers

    count = expire_offers(db.session, clock=current_clock())
    db.session.commit()
    click.echo(f"expired {count} offers")
