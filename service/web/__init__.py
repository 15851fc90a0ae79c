"""Server-rendered pages for parents, agencies, caregivers, officers and administrators."""

from __future__ import annotations

from flask import Flask


def register_web(app: Flask) -> None:
    from . import admin, agency, auth, caregiver, fees, officer, parents, public

    for module in (public, fees, auth, parents, agency, caregiver, officer, admin):
        app.register_blueprint(module.bp)
