"""Provider agencies (아이돌봄 서비스제공기관) and the districts each one serves."""

from __future__ import annotations

from sqlalchemy import Column, ForeignKey, String, Table, select
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from core.db import Base
from core.errors import NotFound

from .geography import District

agency_districts = Table(
    "agency_districts",
    Base.metadata,
    Column("agency_id", ForeignKey("agencies.id", ondelete="CASCADE"), primary_key=True),
    Column("district_code", ForeignKey("districts.code"), primary_key=True, index=True),
)


class Agency(Base):
    __tablename__ = "agencies"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(8), unique=True)
    name_ko: Mapped[str] = mapped_column(String(80))
    name_en: Mapped[str] = mapped_column(String(120))
    home_district_code: Mapped[str] = mapped_column(ForeignKey("districts.code"), index=True)
    phone: Mapped[str] = mapped_column(String(20))
    address_ko: Mapped[str] = mapped_column(String(200))

    home_district: Mapped[District] = relationship()
    served_districts: Mapped[list[District]] = relationship(
        secondary=agency_districts, order_by=District.code
    )


def get_agency(session: Session, agency_id: int) -> Agency:
    agency = session.get(Agency, agency_id)
    if agency is None:
        raise NotFound()
    return agency


def agencies_serving(session: Session, district_code: str) -> list[Agency]:
    return list(
        session.scalars(
            select(Agency)
            .join(agency_districts, agency_districts.c.agency_id == Agency.id)
            .where(agency_districts.c.district_code == district_code)
            .order_by(Agency.code)
        )
    )
