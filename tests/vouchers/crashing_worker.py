"""A payment worker whose process dies right after the processor answered, before the database
records it: the crash the outbox and the retry by key must survive (test_crash_recovery.py)."""

import os
import sys

from core.clock import FixedClock
from service.app import create_app
from service.payments import run_payment_commands

if __name__ == "__main__":
    url, stripe_base, instant = sys.argv[1:4]
    from datetime import datetime

    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": url,
            "PAYMENT_BACKEND": "stripe",
            "STRIPE_SECRET_KEY": "sk_test_dolbom",
            "STRIPE_API_BASE": stripe_base,
            "CLOCK": FixedClock(datetime.fromisoformat(instant)),
            "SECRET_KEY": "test",
        }
    )
    with app.app_context():
        run_payment_commands(after_call=lambda: os._exit(3))
