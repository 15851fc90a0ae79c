"""Fill the English catalogue: the source strings are English, so each msgstr is its msgid."""

from pathlib import Path

from babel.messages.pofile import read_po, write_po

path = (
    Path(__file__).resolve().parent.parent / "translations" / "en" / "LC_MESSAGES" / "messages.po"
)
with path.open("rb") as handle:
    catalogue = read_po(handle, locale="en")
for message in catalogue:
    if isinstance(message.id, tuple):  # plural: (singular, plural)
        if not all(message.string):
            message.string = message.id
    elif message.id and not message.string:
        message.string = message.id
    message.flags.discard("fuzzy")
with path.open("wb") as handle:
    write_po(handle, catalogue, width=100, omit_header=False)
