"""Korea's provinces (시·도), their districts (시·군·구) and each district's community centres."""

from __future__ import annotations

import math
from functools import lru_cache

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.db import Base


class Province(Base):
    __tablename__ = "provinces"

    code: Mapped[str] = mapped_column(String(2), primary_key=True)
    name_ko: Mapped[str] = mapped_column(String(40))
    name_en: Mapped[str] = mapped_column(String(60))

    districts: Mapped[list[District]] = relationship(back_populates="province")


class District(Base):
    __tablename__ = "districts"

    code: Mapped[str] = mapped_column(String(5), primary_key=True)
    province_code: Mapped[str] = mapped_column(ForeignKey("provinces.code"), index=True)
    name_ko: Mapped[str] = mapped_column(String(40))
    name_en: Mapped[str] = mapped_column(String(80))
    # centre point in micro-degrees: integers keep the schema float-free and are exact enough
    lat_e6: Mapped[int]
    lon_e6: Mapped[int]
    population: Mapped[int]

    province: Mapped[Province] = relationship(back_populates="districts")

    def distance_km(self, other: District) -> float:
        return distance_km(self.lat_e6, self.lon_e6, other.lat_e6, other.lon_e6)


class CommunityCentre(Base):
    """A community centre (주민센터 / 행정복지센터); an officer works for one district's centres."""

    __tablename__ = "community_centres"

    id: Mapped[int] = mapped_column(primary_key=True)
    district_code: Mapped[str] = mapped_column(ForeignKey("districts.code"), index=True)
    name_ko: Mapped[str] = mapped_column(String(80))
    name_en: Mapped[str] = mapped_column(String(120))

    district: Mapped[District] = relationship()


@lru_cache(maxsize=1 << 16)
def distance_km(lat1_e6: int, lon1_e6: int, lat2_e6: int, lon2_e6: int) -> float:
    """Great-circle distance between two centre points (haversine). Cached: the points are the
    few hundred district centres, and every ranking measures a few dozen journeys between them."""
    lat1, lon1, lat2, lon2 = (
        math.radians(v / 1_000_000) for v in (lat1_e6, lon1_e6, lat2_e6, lon2_e6)
    )
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * 6371.0 * math.asin(math.sqrt(h))
