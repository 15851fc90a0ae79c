"""Who is acting: the role-bearing identity every domain call receives."""

from __future__ import annotations

import enum
from dataclasses import dataclass


class Role(enum.StrEnum):
    PARENT = "parent"
    CAREGIVER = "caregiver"
    AGENCY_STAFF = "agency_staff"
    OFFICER = "officer"
    ADMIN = "admin"


@dataclass(frozen=True, slots=True)
class Actor:
    user_id: int
    role: Role
    # agency staff and caregivers belong to one agency; officers to one district (시군구 code)
    agency_id: int | None = None
    district_code: str | None = None

    @property
    def is_admin(self) -> bool:
        return self.role is Role.ADMIN
