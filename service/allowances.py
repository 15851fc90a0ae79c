"""The allowances overview at the edge (R-ALW-1..5): the tables chosen by configuration, lines
explained in the user's language, the labels of the codes."""

from __future__ import annotations

from datetime import date
from typing import Any

from babel.dates import format_skeleton
from babel.numbers import format_decimal
from flask import current_app
from flask_babel import format_date, get_locale, gettext
from sqlalchemy import select

from booking.geography import District
from core.i18n import N_
from vouchers.allowance_tables import AllowanceBook, default_allowance_book
from vouchers.allowances import AllowanceLine, ChildOverview
from vouchers.cost_split import Explanation
from vouchers.household_allowances import HouseholdOverview

from .extensions import db
from .labels import Labels

MONEY_PARAMS = frozenset({"amount", "cash", "voucher"})
DATE_PARAMS = frozenset({"date"})
MONTH_PARAMS = frozenset({"month"})

ALLOWANCE_LABELS = {
    "ALLOWANCE_NAMES": Labels(
        {
            "childcare_fee": N_("Childcare fee support (daycare)"),
            "preschool_tuition": N_("Preschool tuition (kindergarten)"),
            "after_school": N_("After-school class (kindergarten)"),
            "parent_allowance": N_("Parent allowance"),
            "home_care": N_("Home-care allowance"),
            "child_allowance": N_("Child allowance"),
        }
    ),
    "CARE_NAMES": Labels(
        {
            "home": N_("Cared for at home"),
            "daycare": N_("Daycare centre"),
            "kindergarten_public": N_("Public kindergarten"),
            "kindergarten_private": N_("Private kindergarten"),
            "infant_fullday": N_("Full-day infant care at home"),
        }
    ),
    "KINDERGARTEN_KIND_NAMES": Labels({"public": N_("public"), "private": N_("private")}),
    "PAYER_NAMES": Labels({"new": N_("the new district"), "previous": N_("the previous district")}),
}


def allowance_book() -> AllowanceBook:
    """The allowance tables: ``ALLOWANCE_DIRECTORY`` if configured, else the shipped ones."""
    book = current_app.extensions.get("dolbom.allowances")
    if book is None:
        directory = current_app.config.get("ALLOWANCE_DIRECTORY")
        book = AllowanceBook.from_directory(directory) if directory else default_allowance_book()
        current_app.extensions["dolbom.allowances"] = book
    return book


def month_label(day: date) -> str:
    return format_skeleton("yMMMM", day, locale=str(get_locale()))


def explain(notes: tuple[Explanation, ...]) -> list[str]:
    """The reasons of a line in the current language: amounts, dates and kinds formatted."""
    locale = str(get_locale())
    sentences = []
    for note in notes:
        values: dict[str, Any] = {}
        for key, value in note.params.items():
            if key in MONEY_PARAMS:
                values[key] = format_decimal(value, locale=locale)
            elif key in DATE_PARAMS:
                values[key] = format_date(date.fromisoformat(str(value)))
            elif key in MONTH_PARAMS:
                values[key] = month_label(date.fromisoformat(str(value)))
            elif key == "kind":
                values[key] = ALLOWANCE_LABELS["KINDERGARTEN_KIND_NAMES"][str(value)]
            else:
                values[key] = value
        text = gettext(note.message)
        sentences.append(text % values if values else text)
    return sentences


def district_names(codes: set[str]) -> dict[str, str]:
    if not codes:
        return {}
    korean = str(get_locale()) == "ko"
    rows = db.session.scalars(select(District).where(District.code.in_(codes)))
    return {d.code: d.name_ko if korean else d.name_en for d in rows}


def line_body(line: AllowanceLine, districts: dict[str, str]) -> dict[str, Any]:
    return {
        "allowance": line.allowance.value,
        "amount": line.amount,
        "cash": line.cash,
        "voucher": line.voucher,
        "unconfirmed": line.unconfirmed,
        "payday": line.payday,
        "paying_district": line.paying_district,
        "paying_district_name": districts.get(line.paying_district, ""),
        "payer": line.payer.value if line.payer else None,
        "explanation": explain(line.explanation),
    }


def overview_body(found: ChildOverview, **extra: Any) -> dict[str, Any]:
    """A child's month as the pages and the API show it."""
    districts = district_names({line.paying_district for line in found.lines} - {""})
    return {
        **extra,
        "month": found.month,
        "months_old": found.months_old,
        "care": found.care.value,
        "table_year": found.table_year,
        "total": found.total,
        "cash": found.cash,
        "voucher": found.voucher,
        "unconfirmed": any(line.unconfirmed for line in found.lines),
        "lines": [line_body(line, districts) for line in found.lines],
    }


def household_body(found: HouseholdOverview) -> dict[str, Any]:
    return {
        "month": found.month,
        "total": found.total,
        "cash": found.cash,
        "voucher": found.voucher,
        "children": [
            overview_body(o, child_id=child.id, child_name=child.name)
            for child, o in found.children
        ],
        "unborn": [{"child_id": c.id, "child_name": c.name} for c in found.unborn],
    }
