"""Languages: the interface's words in each language.

The interface strings of the templates (`{% trans %}`, `_()`) are looked up in
gettext catalogues compiled by Babel (`make i18n-compile`) into
`templates/locale/<lang>/LC_MESSAGES/messages.mo`. A catalogue is a file under
templates/, so it is a build input like any template: a page that looked up a
string in it notes `template:locale/<lang>/LC_MESSAGES/messages.mo` as read
(`record`), and is rendered again when the compiled catalogue changes. A string
a catalogue lacks is shown in the default language and reported, by name, as a
warning on the catalogue's `.po` file.
"""

from __future__ import annotations

import gettext as gettext_module
import struct
from pathlib import Path
from typing import TYPE_CHECKING

from .findings import Finding, warning

if TYPE_CHECKING:
    from .record import Reads

LOCALE_DIR = "locale"
DOMAIN = "messages"


def catalogue_name(lang: str, suffix: str = "mo") -> str:
    """A language's catalogue, as a template name (relative to templates/)."""
    return f"{LOCALE_DIR}/{lang}/LC_MESSAGES/{DOMAIN}.{suffix}"


class Catalogues:
    """The compiled catalogues of one templates folder, read when first wanted; the
    strings looked up and not found, by language, since `missing_since` was last asked."""

    def __init__(self, templates_dir: Path, reads: Reads, default: str) -> None:
        self.templates_dir = templates_dir
        self.reads = reads
        self.default = default
        self.loaded: dict[str, gettext_module.GNUTranslations | None] = {}
        self.missing: set[tuple[str, str]] = set()

    def catalogue(self, lang: str) -> gettext_module.GNUTranslations | None:
        if lang not in self.loaded:
            path = self.templates_dir / catalogue_name(lang)
            try:
                with path.open("rb") as file:
                    self.loaded[lang] = gettext_module.GNUTranslations(file)
            except (OSError, ValueError, UnicodeDecodeError, struct.error):
                self.loaded[lang] = None
        return self.loaded[lang]

    def lookup(self, lang: str | None, message: str) -> str | None:
        """`message` in `lang`, or None where it has no translation (noting the read)."""
        if not lang or lang == self.default:
            return message
        self.reads.note(f"template:{catalogue_name(lang)}")
        catalogue = self.catalogue(lang)
        translated = catalogue._catalog.get(message) if catalogue else None  # type: ignore[attr-defined]
        if not translated:
            self.missing.add((lang, message))
            return None
        return translated

    def gettext(self, lang: str | None, message: str) -> str:
        found = self.lookup(lang, message)
        return message if found is None else found

    def ngettext(self, lang: str | None, singular: str, plural: str, number: int) -> str:
        chosen = singular if number == 1 else plural
        if not lang or lang == self.default:
            return chosen
        self.reads.note(f"template:{catalogue_name(lang)}")
        catalogue = self.catalogue(lang)
        if catalogue is None or (singular, 0) not in catalogue._catalog:  # type: ignore[attr-defined]
            self.missing.add((lang, singular))
            return chosen
        return catalogue.ngettext(singular, plural, number)

    def missing_since(self, templates_shown: str) -> list[Finding]:
        """A warning for each string looked up and not found since the last call."""
        findings = [
            warning(
                f"{templates_shown}/{catalogue_name(lang, 'po')}", 1, 1, "interface",
                f"expected a '{lang}' translation of the interface string {message!r}, found "
                f"none; it is shown in '{self.default}' (add it, then make i18n-compile)",
            )
            for lang, message in sorted(self.missing)
        ]  # fmt: skip
        self.missing.clear()
        return findings
