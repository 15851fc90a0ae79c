"""Languages families speak at home and caregivers speak (ISO 639-1 codes)."""

from core.i18n import N_

LANGUAGE_NAMES: dict[str, str] = {
    "ko": N_("Korean"),
    "en": N_("English"),
    "kk": N_("Kazakh"),
    "vi": N_("Vietnamese"),
    "zh": N_("Chinese"),
    "ru": N_("Russian"),
    "uz": N_("Uzbek"),
    "mn": N_("Mongolian"),
    "th": N_("Thai"),
    "tl": N_("Tagalog"),
    "km": N_("Khmer"),
    "ja": N_("Japanese"),
    "ne": N_("Nepali"),
}
LANGUAGE_CODES = tuple(LANGUAGE_NAMES)
