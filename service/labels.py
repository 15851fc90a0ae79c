"""Human labels for the domain's codes, translated at request time."""

from __future__ import annotations

from flask_babel import gettext as _

from booking.languages import LANGUAGE_NAMES


def labels() -> dict[str, dict[str, str]]:
    return {
        "LANGUAGE_NAMES": LANGUAGE_NAMES,
        "ATTENDANCE_NAMES": {
            "none": _("Cared for at home"),
            "daycare": _("Daycare centre"),
            "kindergarten": _("Kindergarten"),
        },
        "RELATION_NAMES": {
            "mother": _("Mother"),
            "father": _("Father"),
            "grandparent": _("Grandparent"),
            "other": _("Other guardian"),
        },
        "SKILL_NAMES": {
            "infant": _("Infant care"),
            "sick_child": _("Sick-child care"),
            "comprehensive": _("Child-related housework"),
        },
        "WEEKDAY_NAMES": [
            _("Monday"),
            _("Tuesday"),
            _("Wednesday"),
            _("Thursday"),
            _("Friday"),
            _("Saturday"),
            _("Sunday"),
        ],
    }
