"""Support applications at the edge: the document store, views of applications, notifications."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from flask import current_app
from flask_babel import format_date
from werkzeug.datastructures import FileStorage

from core.actors import Actor, Role
from core.clock import seoul_today
from core.outbox import Notification
from vouchers.support_applications import (
    MAX_DOCUMENT_BYTES,
    DocumentStore,
    SupportApplication,
    Upload,
)
from vouchers.tier_decisions import Suggestion, suggest

from .context import current_clock
from .i18n import translate
from .labels import CODE_LABELS
from .quotes import tariff_book


def document_store() -> DocumentStore:
    return current_app.extensions["dolbom.documents"]


def uploads(files: list[FileStorage]) -> list[Upload]:
    """Read at most one byte past the limit: a larger file is refused without reading it all."""
    return [
        Upload(f.filename or "document", f.stream.read(MAX_DOCUMENT_BYTES + 1)) for f in files if f
    ]


@dataclass(frozen=True)
class ApplicationView:
    """An application as its reader sees it: officers get the computed suggestion."""

    application: SupportApplication
    today: date
    suggestion: Suggestion | None

    def __getattr__(self, name: str) -> Any:
        return getattr(self.application, name)

    @property
    def days_left(self) -> int:
        return self.application.days_left(self.today)


def application_view(application: SupportApplication, actor: Actor) -> ApplicationView:
    today = seoul_today(current_clock())
    officer = actor.role in (Role.OFFICER, Role.ADMIN)
    suggestion = (
        suggest(application, tariff_book(), today) if officer and application.is_open else None
    )
    return ApplicationView(application, today, suggestion)


def notification_text(notification: Notification) -> str:
    """A notification in the current language: codes named, dates formatted."""
    params: dict[str, Any] = {}
    for key, value in notification.params.items():
        if key in ("deadline", "until"):
            params[key] = format_date(date.fromisoformat(value))
        elif isinstance(value, str) and value in CODE_LABELS.get(key, {}):
            params[key] = CODE_LABELS[key][value]
        else:
            params[key] = value
    return translate(notification.message, params or None)
