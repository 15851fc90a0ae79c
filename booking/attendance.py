"""Where a child spends weekday hours (R-SUP-11): shared by households and the cost split."""

import enum


class Attendance(enum.StrEnum):
    NONE = "none"
    DAYCARE = "daycare"
    KINDERGARTEN = "kindergarten"
