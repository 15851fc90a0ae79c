"""The quarter at a glance (R-ECH-1..2): a district dashboard and the CSV export for the ministry.

The export holds the outcome of each child's visit, keyed by the ministry's reference: no
names, contacts or counselling notes leave the district.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import Session

from core.actors import Actor
from core.clock import Clock, seoul_today

from .home_visits import CaseSource, CaseStatus, VisitCase, local_date, quarter_cases

EXPORT_COLUMNS = (
    "child_ref",
    "district_code",
    "year",
    "quarter",
    "source",
    "status",
    "indicators",
    "called_on",
    "reached",
    "visited_on",
    "outcome",
    "needs",
    "services",
    "follow_up_on",
)


@dataclass(frozen=True)
class QuarterDashboard:
    year: int
    quarter: int
    flagged: int  # on the list from the ministry's file
    october_round: int  # added in Q4's October round
    reached: int  # the family answered the call or was met
    visited: int  # met face to face
    linked: int  # linked to at least one service
    not_reached: int  # last attempt failed, not met yet
    closed: int
    follow_ups_due: int  # follow-up date today or earlier, case still open

    @property
    def listed(self) -> int:
        return self.flagged + self.october_round


def quarter_dashboard(
    session: Session, actor: Actor, year: int, quarter: int, *, clock: Clock
) -> QuarterDashboard:
    cases = quarter_cases(session, actor, year, quarter)
    today = seoul_today(clock)
    return QuarterDashboard(
        year=year,
        quarter=quarter,
        flagged=sum(1 for c in cases if c.source == CaseSource.FLAGGED),
        october_round=sum(1 for c in cases if c.source == CaseSource.OCTOBER_ROUND),
        reached=sum(1 for c in cases if c.reached),
        visited=sum(1 for c in cases if c.visited),
        linked=sum(1 for c in cases if c.services),
        not_reached=sum(1 for c in cases if c.status == CaseStatus.NOT_REACHED),
        closed=sum(1 for c in cases if c.status == CaseStatus.CLOSED),
        follow_ups_due=sum(
            1
            for c in cases
            if c.follow_up_on is not None
            and c.follow_up_on <= today
            and c.status != CaseStatus.CLOSED
        ),
    )


def export_rows(case: VisitCase) -> list[str]:
    last = case.visits[-1] if case.visits else None
    needs = sorted({need for visit in case.visits for need in visit.needs})
    return [
        case.child_ref,
        case.district_code,
        str(case.year),
        str(case.quarter),
        case.source,
        case.status,
        ";".join(str(i) for i in case.indicators),
        _iso(local_date(case.called_at)),
        "" if case.call_reached is None and not case.visits else ("yes" if case.reached else "no"),
        _iso(local_date(last.visited_at) if last else None),
        last.outcome if last else "",
        ";".join(needs),
        ";".join(s.service for s in case.services),
        _iso(case.follow_up_on),
    ]


def ministry_export(session: Session, actor: Actor, year: int, quarter: int) -> str:
    """The quarter's outcomes as CSV (UTF-8, comma-separated, a header row)."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(EXPORT_COLUMNS)
    for case in quarter_cases(session, actor, year, quarter):
        writer.writerow([_cell(value) for value in export_rows(case)])
    return out.getvalue()


def _iso(day: date | None) -> str:
    return day.isoformat() if day else ""


def _cell(value: str) -> str:
    """No spreadsheet formulas: a cell that a spreadsheet would compute is quoted as text."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value
