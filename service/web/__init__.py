"""Server-rendered pages for parents, agencies, caregivers, officers and administrators."""

from __future__ import annotations

from flask import Flask


def register_web(app: Flask) -> None:
    from . import (
        admin,
        agency,
        allowances,
        assignment_board,
        auth,
        bookings,
        caregiver,
        fees,
        home_visits,
        officer,
        officer_support,
        parents,
        public,
        regular_care,
        support,
        visits,
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
        allowances,
        home_visits,
        bookings,  # issue 5
        assignment_board,
        visits,
        regular_care,
    ):
        app.register_blueprint(module.bp)
    app.register_blueprint(regular_care.agency_bp)
