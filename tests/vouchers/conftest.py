"""Shared fixtures of the money tests, and the localstripe emulator for the card backend."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
import stripe

from tests.booking.conftest import family, pricing  # noqa: F401  (shared fixtures)
from vouchers.gateways import StripeGateway, VirtualAccountGateway
from vouchers.payments import PaymentSetup

LAUNCHER = Path(__file__).resolve().parent.parent / "localstripe_server.py"


@pytest.fixture(scope="session")
def localstripe_url():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process = subprocess.Popen(
        [sys.executable, str(LAUNCHER), str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            urllib.request.urlopen(f"{url}/v1/customers", timeout=1)
            break
        except Exception:
            time.sleep(0.1)
    yield url
    process.terminate()
    process.wait(timeout=10)


@pytest.fixture
def stripe_client(localstripe_url):
    request = urllib.request.Request(f"{localstripe_url}/_config/data", method="DELETE")
    urllib.request.urlopen(request, timeout=5)
    return stripe.StripeClient(
        "sk_test_dolbom", base_addresses={"api": localstripe_url}, max_network_retries=0
    )


@pytest.fixture
def card_setup(app, stripe_client):
    """The card backend for one test: the app's payments go through localstripe."""
    setup = PaymentSetup(
        card=StripeGateway(stripe_client),
        virtual_accounts=VirtualAccountGateway(bank="NH", secret="s3cret"),
    )
    previous = app.extensions["dolbom.payments"]
    app.extensions["dolbom.payments"] = setup
    yield setup
    app.extensions["dolbom.payments"] = previous
