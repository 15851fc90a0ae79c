"""The district's list for a quarter (R-ECH-1): the ministry's CSV file, and the October round.

The CSV format is documented in ``booking.home_visits`` (and in README.md). Every row is checked
and a rejected row is reported with its line number (the header is line 1) and, for each field at
fault, an untranslated message. Unless ``accept_partial`` is set, a file with any rejected row
imports nothing; with it, the valid rows are imported and the others reported.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from core.actors import Actor, Role
from core.audit import record
from core.clock import Clock, seoul_today
from core.errors import Conflict, NotFound, ValidationFailed
from core.i18n import N_

from .attendance import Attendance
from .home_visits import (
    OCTOBER_ROUND_AGE_YEARS,
    OCTOBER_ROUND_QUARTER,
    CaseSource,
    CaseStatus,
    VisitCase,
    check_quarter,
)
from .households import Child, Household, age_in_years, households_for_actor

COLUMNS = (
    "child_ref",
    "child_name",
    "birth_date",
    "guardian_name",
    "guardian_phone",
    "district_code",
    "address",
    "indicators",
)
MAX_FILE_BYTES = 2 * 1024 * 1024
MAX_ROWS = 5_000
INDICATOR_KINDS = 44  # R-ECH-1: the social-security data's 44 kinds of indicators
MAX_AGE_YEARS = 17  # R-ECH-1: children under 18
CHILD_REF = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,39}")
PHONE = re.compile(r"\+?[0-9][0-9 -]{7,19}")


@dataclass(frozen=True)
class FlaggedChild:
    child_ref: str
    child_name: str
    birth_date: date
    guardian_name: str
    guardian_phone: str
    address: str
    indicators: tuple[int, ...]


@dataclass(frozen=True)
class RejectedRow:
    line: int
    child_ref: str
    errors: Mapping[str, str]  # column → untranslated message


@dataclass(frozen=True)
class ImportReport:
    year: int
    quarter: int
    rows: int
    imported: int
    rejected: tuple[RejectedRow, ...] = ()
    cases: tuple[VisitCase, ...] = field(default=(), repr=False)


class RowsRejected(ValidationFailed):
    """Some rows are wrong and the file was not imported; ``report`` lists them."""

    code = "rows_rejected"
    message = N_("%(count)s rows were rejected; nothing was imported.")

    def __init__(self, report: ImportReport) -> None:
        fields = {
            f"rows.{row.line}.{name}": text
            for row in report.rejected
            for name, text in row.errors.items()
        }
        super().__init__(fields=fields, count=len(report.rejected))
        self.report = report


def import_flagged_children(
    session: Session,
    actor: Actor,
    data: bytes,
    *,
    year: int,
    quarter: int,
    clock: Clock,
    accept_partial: bool = False,
) -> ImportReport:
    """Import the ministry's list of flagged children for the officer's district."""
    if actor.role is not Role.OFFICER or not actor.district_code:
        raise NotFound()
    check_quarter(year, quarter)
    rows = _read(data)
    known = set(
        session.scalars(
            select(VisitCase.child_ref).where(
                VisitCase.district_code == actor.district_code,
                VisitCase.year == year,
                VisitCase.quarter == quarter,
            )
        )
    )
    today = seoul_today(clock)
    accepted: list[FlaggedChild] = []
    rejected: list[RejectedRow] = []
    seen: set[str] = set()
    for line, row in rows:
        child, errors = _check_row(row, actor.district_code, today)
        ref = row.get("child_ref", "").strip()
        if not errors.get("child_ref"):
            if ref in seen:
                errors["child_ref"] = N_("This child appears twice in the file.")
            elif ref in known:
                errors["child_ref"] = N_("This child is already on this quarter's list.")
        seen.add(ref)
        if errors or child is None:
            rejected.append(RejectedRow(line, ref, errors))
        else:
            accepted.append(child)
    report = ImportReport(year, quarter, len(rows), 0, tuple(rejected))
    if rejected and not accept_partial:
        raise RowsRejected(report)
    now = clock.now()
    cases = [
        VisitCase(
            district_code=actor.district_code,
            year=year,
            quarter=quarter,
            source=CaseSource.FLAGGED.value,
            status=CaseStatus.TO_CONTACT.value,
            created_by_user_id=actor.user_id,
            created_at=now,
            child_ref=child.child_ref,
            child_name=child.child_name,
            child_birth_date=child.birth_date,
            guardian_name=child.guardian_name,
            guardian_phone=child.guardian_phone,
            address=child.address,
            indicators=list(child.indicators),
        )
        for child in accepted
    ]
    session.add_all(cases)
    try:
        session.flush()
    except IntegrityError:  # another import of the same children won the race
        raise Conflict(
            N_("The list changed while importing; import the file again."), code="list_changed"
        ) from None
    record(
        session,
        actor,
        "home_visit.imported",
        "district",
        int(actor.district_code),
        clock=clock,
        year=year,
        quarter=quarter,
        imported=len(cases),
        rejected=len(rejected),
    )
    return ImportReport(year, quarter, len(rows), len(cases), tuple(rejected), tuple(cases))


def _file_error(message: str, **params: int | str) -> ValidationFailed:
    return ValidationFailed(message, code="bad_file", fields={"file": message}, **params)


def _read(data: bytes) -> list[tuple[int, dict[str, str]]]:
    """The file's rows with their line numbers, keyed by column; whole-file errors raised."""
    if len(data) > MAX_FILE_BYTES:
        raise _file_error(N_("The file may be at most 2 MB."))
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise _file_error(N_("Save the file as CSV in UTF-8.")) from None
    if not text.strip():
        raise _file_error(N_("The file is empty."))
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [name.strip().lower() for name in next(reader)]
    except csv.Error:
        raise _file_error(N_("Save the file as CSV in UTF-8.")) from None
    missing = [name for name in COLUMNS if name not in header]
    if missing:
        raise _file_error(
            N_("The file lacks the columns: %(columns)s."), columns=", ".join(missing)
        )
    rows = []
    try:
        for values in reader:
            if not any(v.strip() for v in values):
                continue  # a blank line
            rows.append((reader.line_num, dict(zip(header, values, strict=False))))
            if len(rows) > MAX_ROWS:
                raise _file_error(N_("The file may hold at most 5,000 children."))
    except csv.Error:
        raise _file_error(N_("Save the file as CSV in UTF-8.")) from None
    if not rows:
        raise _file_error(N_("The file lists no children."))
    return rows


def _check_row(
    row: Mapping[str, str], district: str, today: date
) -> tuple[FlaggedChild | None, dict[str, str]]:
    value = {name: (row.get(name) or "").strip() for name in COLUMNS}
    errors: dict[str, str] = {}
    if not CHILD_REF.fullmatch(value["child_ref"]):
        errors["child_ref"] = N_("Give the child's reference: up to 40 letters, digits, - or _.")
    for name in ("child_name", "guardian_name"):
        if not value[name]:
            errors[name] = N_("Enter a name.")
        elif len(value[name]) > 80:
            errors[name] = N_("This text is too long.")
    birth_date = None
    try:
        birth_date = date.fromisoformat(value["birth_date"])
    except ValueError:
        errors["birth_date"] = N_("Give the birth date as YYYY-MM-DD.")
    if birth_date is not None and birth_date > today:
        errors["birth_date"] = N_("The birth date cannot be in the future.")
    elif birth_date is not None and age_in_years(birth_date, today) > MAX_AGE_YEARS:
        errors["birth_date"] = N_("The programme visits children under 18.")
    digits = re.sub(r"\D", "", value["guardian_phone"])
    if not PHONE.fullmatch(value["guardian_phone"]) or not 9 <= len(digits) <= 15:
        errors["guardian_phone"] = N_("Give a phone number of 9 to 15 digits.")
    if value["district_code"] != district:
        errors["district_code"] = N_("Only children of your own district can be imported.")
    if len(value["address"]) > 200:
        errors["address"] = N_("This text is too long.")
    indicators = _indicators(value["indicators"])
    if indicators is None:
        errors["indicators"] = N_("List the indicators as numbers from 1 to 44, separated by ;.")
    if errors or birth_date is None or indicators is None:
        return None, errors
    return (
        FlaggedChild(
            child_ref=value["child_ref"],
            child_name=value["child_name"],
            birth_date=birth_date,
            guardian_name=value["guardian_name"],
            guardian_phone=value["guardian_phone"],
            address=value["address"],
            indicators=indicators,
        ),
        errors,
    )


def _indicators(text: str) -> tuple[int, ...] | None:
    parts = [p.strip() for p in text.split(";") if p.strip()]
    if not parts or not all(p.isdigit() and 1 <= int(p) <= INDICATOR_KINDS for p in parts):
        return None
    numbers = [int(p) for p in parts]
    return tuple(sorted(numbers)) if len(set(numbers)) == len(numbers) else None


# --- the October round (R-ECH-1) -------------------------------------------------------------


def october_round(session: Session, actor: Actor, year: int) -> list[Child]:
    """Every child of the district's households aged 3 on 1 October of ``year`` and cared for
    at home (no daycare or kindergarten)."""
    check_quarter(year, OCTOBER_ROUND_QUARTER)
    if actor.role not in (Role.OFFICER, Role.ADMIN):
        raise NotFound()
    day = date(year, 10, 1)
    born_after = date(year - OCTOBER_ROUND_AGE_YEARS - 1, 10, 1)
    born_by = date(year - OCTOBER_ROUND_AGE_YEARS, 10, 1)
    own = households_for_actor(actor).with_only_columns(Household.id)
    query = select(Child).where(
        Child.household_id.in_(own),
        Child.attendance == Attendance.NONE,
        Child.birth_date > born_after,
        Child.birth_date <= born_by,
    )
    children = session.scalars(query.order_by(Child.birth_date, Child.id))
    return [c for c in children if age_in_years(c.birth_date, day) == OCTOBER_ROUND_AGE_YEARS]


def add_october_round(session: Session, actor: Actor, year: int, *, clock: Clock) -> int:
    """Put the October round's children on Q4's list (those not on it yet); returns how many."""
    if actor.role is not Role.OFFICER or not actor.district_code:
        raise NotFound()
    listed = set(
        session.scalars(
            select(VisitCase.child_id).where(
                VisitCase.district_code == actor.district_code,
                VisitCase.year == year,
                VisitCase.quarter == OCTOBER_ROUND_QUARTER,
                VisitCase.child_id.is_not(None),
            )
        )
    )
    added = 0
    for child in october_round(session, actor, year):
        if child.id in listed:
            continue
        applicant = child.household.applicant
        session.add(
            VisitCase(
                district_code=actor.district_code,
                year=year,
                quarter=OCTOBER_ROUND_QUARTER,
                source=CaseSource.OCTOBER_ROUND.value,
                child_ref=f"DOLBOM-{child.id}",
                child_name=child.name,
                child_birth_date=child.birth_date,
                guardian_name=applicant.name if applicant else "",
                guardian_phone=applicant.phone if applicant else "",
                address=child.household.address,
                indicators=[],
                child_id=child.id,
                status=CaseStatus.TO_CONTACT.value,
                created_by_user_id=actor.user_id,
                created_at=clock.now(),
            )
        )
        added += 1
    session.flush()
    record(
        session,
        actor,
        "home_visit.october_round",
        "district",
        int(actor.district_code),
        clock=clock,
        year=year,
        added=added,
    )
    return added
