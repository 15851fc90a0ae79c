"""Configuration: Flask settings from the environment, and frozen settings for domain code."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SUPPORTED_LOCALES = ("ko", "en", "kk")
DEFAULT_LOCALE = "ko"


def _database_url() -> str:
    url = os.environ.get("DATABASE_URL")
    if url:
        # the common "postgres://" and "postgresql://" spellings mean the psycopg 3 driver here
        for prefix in ("postgres://", "postgresql://"):
            if url.startswith(prefix):
                return "postgresql+psycopg://" + url[len(prefix) :]
        return url
    return f"sqlite:///{ROOT / 'instance' / 'dolbom.sqlite'}"


def flask_settings() -> dict[str, object]:
    """Settings read once at start-up; a test passes its own overrides to ``create_app``."""
    return {
        "SECRET_KEY": os.environ.get("SECRET_KEY") or secrets.token_hex(32),
        "SQLALCHEMY_DATABASE_URI": _database_url(),
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "BABEL_DEFAULT_LOCALE": DEFAULT_LOCALE,
        "BABEL_DEFAULT_TIMEZONE": "Asia/Seoul",
        "BABEL_TRANSLATION_DIRECTORIES": str(ROOT / "translations"),
        "SUPPORTED_LOCALES": SUPPORTED_LOCALES,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": os.environ.get("SESSION_COOKIE_SECURE", "0") == "1",
        "RATELIMIT_STORAGE_URI": os.environ.get("RATELIMIT_STORAGE_URI", "memory://"),
        "LOGIN_RATE_LIMIT": os.environ.get("LOGIN_RATE_LIMIT", "10 per minute"),
        "API_TOKEN_HOURS": int(os.environ.get("API_TOKEN_HOURS", "12")),
        "API_TITLE": "Dolbom API",
        "API_VERSION": "v1",
        "OPENAPI_VERSION": "3.0.3",
        "OPENAPI_URL_PREFIX": "/api/v1",
        "OPENAPI_JSON_PATH": "openapi.json",
        "MAX_CONTENT_LENGTH": 10 * 1024 * 1024,
        "TEMPLATES_AUTO_RELOAD": False,
        "TARIFF_DIRECTORY": os.environ.get("TARIFF_DIRECTORY") or None,
        # R-BK-6: how long an automatic offer to a caregiver stays open
        "OFFER_MINUTES": int(os.environ.get("OFFER_MINUTES", "60")),
        # demos and benchmarks only: pin the service's clock (ISO 8601 with offset)
        "FIXED_TIME": os.environ.get("FIXED_TIME") or None,
        # uploaded documents: private, outside static/, stored under random names
        "UPLOAD_DIRECTORY": os.environ.get("UPLOAD_DIRECTORY")
        or str(ROOT / "instance" / "uploads"),
        # the National Happiness Card: "virtual_account" (embedded default, no network) or
        # "stripe" (cards through Stripe, with virtual accounts as the fallback)
        "PAYMENT_BACKEND": os.environ.get("PAYMENT_BACKEND", "virtual_account"),
        "STRIPE_SECRET_KEY": os.environ.get("STRIPE_SECRET_KEY", ""),
        "STRIPE_API_BASE": os.environ.get("STRIPE_API_BASE") or None,  # localstripe in tests
        "STRIPE_WEBHOOK_SECRET": os.environ.get("STRIPE_WEBHOOK_SECRET", ""),
        "VIRTUAL_ACCOUNT_BANK": os.environ.get("VIRTUAL_ACCOUNT_BANK", "NH농협은행"),
        # the bank signs its deposit notices with this shared secret (HMAC-SHA256)
        "BANK_NOTICE_SECRET": os.environ.get("BANK_NOTICE_SECRET") or secrets.token_hex(32),
    }


@dataclass(frozen=True)
class PageSettings:
    page_size: int = 25
