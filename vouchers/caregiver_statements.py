"""Each caregiver's monthly statement of hours and pay (R-CG-2, R-CG-3), from the snapshot.

Pay per hour is the year's base pay plus the add-ons of the service (comprehensive, sick-child)
and of the number of children (a second, a third); figures come from the tariff data. A no-show
is paid as booked and a cancellation fee in full (R-CG-3); a waived cancellation pays one hourly
fee from the programme. Statutory night, holiday and overtime premiums are the agency's payroll
and are not computed here.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from booking.caregivers import Caregiver

from .settlement import ItemKind, SettlementItem
from .tariffs import CaregiverPay, TariffBook


@dataclass(frozen=True)
class Statement:
    caregiver_id: int
    name: str
    visits: int
    minutes: int
    base: int
    add_ons: int
    fees: int

    @property
    def total(self) -> int:
        return self.base + self.add_ons + self.fees


def hourly_add_ons(pay: CaregiverPay, service: str, children: int) -> int:
    extra = {"comprehensive": pay.comprehensive_hourly, "sick": pay.sick_hourly}.get(service, 0)
    if children >= 2:
        extra += pay.second_child_hourly
    if children >= 3:
        extra += pay.third_child_hourly
    return extra


def statements(
    session: Session, agency_id: int, month: str, tariffs: TariffBook
) -> list[Statement]:
    """The month's statements of the agency's caregivers, by name."""
    pay = tariffs.for_date(date.fromisoformat(f"{month}-01")).caregiver_pay
    rows = session.execute(
        select(SettlementItem, Caregiver.name)
        .join(Caregiver, Caregiver.id == SettlementItem.caregiver_id)
        .where(SettlementItem.agency_id == agency_id, SettlementItem.month == month)
    ).all()
    sums: dict[int, list[int]] = defaultdict(lambda: [0, 0, 0, 0, 0])
    names: dict[int, str] = {}
    for item, name in rows:
        if item.kind == ItemKind.REFUND:  # the agency's correction, not the caregiver's pay
            continue
        names[item.caregiver_id] = name
        line = sums[item.caregiver_id]
        if item.kind in (ItemKind.CANCELLATION_FEE, ItemKind.WAIVED_CANCELLATION):
            line[4] += item.fee
            continue
        line[0] += 1
        line[1] += item.minutes
        line[2] += pay.base_hourly * item.minutes // 60
        line[3] += hourly_add_ons(pay, item.service, item.children) * item.minutes // 60
    return sorted(
        (Statement(cid, names[cid], *values) for cid, values in sums.items()),
        key=lambda s: s.name,
    )
