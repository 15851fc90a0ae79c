"""Human labels for the domain's codes, translated when they are read."""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from flask_babel import gettext

from booking.languages import LANGUAGE_NAMES
from core.i18n import N_


class Labels(Mapping[str, str]):
    """Code → label in the current language; only the labels actually read are translated."""

    def __init__(self, names: Mapping[str, str]) -> None:
        self._names = names

    def __getitem__(self, code: str) -> str:
        return gettext(self._names[code])

    def untranslated(self, code: str) -> str:
        return self._names[code]

    def __contains__(self, code: object) -> bool:  # Mapping's default would translate
        return code in self._names

    def __iter__(self) -> Iterator[str]:
        return iter(self._names)

    def __len__(self) -> int:
        return len(self._names)


CODE_LABELS: dict[str, Labels] = {
    "service": Labels(
        {
            "basic": N_("half-day basic care"),
            "comprehensive": N_("half-day comprehensive care"),
            "infant_fullday": N_("full-day infant care"),
            "sick": N_("sick-child care"),
        }
    ),
    "tier": Labels(
        {
            "ga": N_("Ga (가형)"),
            "na": N_("Na (나형)"),
            "da": N_("Da (다형)"),
            "ra": N_("Ra (라형)"),
            "ma": N_("Ma (마형)"),
            "none": N_("no tier (full price)"),
        }
    ),
    "group": Labels(
        {
            "single_parent": N_("Single parent"),
            "grandparent": N_("Grandparent-headed family"),
            "disabled_parent": N_("Disabled parent"),
            "disabled_child": N_("Disabled child"),
            "teen_parent": N_("Teen parents"),
            "multi_child": N_("Multi-child family"),
            "depopulating_region": N_("Depopulating region"),
        }
    ),
    "band": Labels(
        {"day": N_("day"), "surcharged": N_("night, Sunday or holiday"), "A": "A", "B": "B"}
    ),
    "sick_rate": Labels({"flat": N_("flat rate"), "normal": N_("the family's normal rate")}),
}

TEMPLATE_LABELS: dict[str, Labels] = {
    "LANGUAGE_NAMES": Labels(LANGUAGE_NAMES),
    "ATTENDANCE_NAMES": Labels(
        {
            "none": N_("Cared for at home"),
            "daycare": N_("Daycare centre"),
            "kindergarten": N_("Kindergarten"),
        }
    ),
    "RELATION_NAMES": Labels(
        {
            "mother": N_("Mother"),
            "father": N_("Father"),
            "grandparent": N_("Grandparent"),
            "other": N_("Other guardian"),
        }
    ),
    "SKILL_NAMES": Labels(
        {
            "infant": N_("Infant care"),
            "sick_child": N_("Sick-child care"),
            "comprehensive": N_("Child-related housework"),
        }
    ),
    **{f"{kind.upper()}_NAMES": names for kind, names in CODE_LABELS.items()},
}

WEEKDAYS = (
    N_("Monday"),
    N_("Tuesday"),
    N_("Wednesday"),
    N_("Thursday"),
    N_("Friday"),
    N_("Saturday"),
    N_("Sunday"),
)


def labels() -> dict[str, object]:
    """Template context: the label maps, and weekday names (index 0 = Monday)."""
    return {**TEMPLATE_LABELS, "WEEKDAY_NAMES": Labels(dict(enumerate(WEEKDAYS)))}
