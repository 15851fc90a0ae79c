"""Server-rendered pages for parents, agencies, caregivers, officers and administrators."""

from __future__ import annotations

from flask import Flask


def register_web(app: Flask) -> None:
    from . import (
        admin,
        agency,
        auth,
        caregiver,
        fees,
        officer,
        officer_support,
        parents,
        public,
        support,
    )

    for module in (
        public,
        fees,
        auth,
        parents,
        support,
        agency,
        caregiver,
        officer,
        officer_support,
        admin,
    ):
        app.register_blueprint(module.bp)
