"""The English catalogue is complete and the compiled .mo is the .po's.

makemessages leaves new strings untranslated and msgmerge's guesses marked fuzzy;
gettext then shows the Chinese msgid (untranslated) or ignores the guess (fuzzy)
without a word, and a .mo not recompiled after an edit serves the old text.
"""

import ast
import gettext
import re
from dataclasses import dataclass, field

import pytest
from django.conf import settings

CATALOGUE = settings.BASE_DIR / "locale" / "en" / "LC_MESSAGES"
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")


@dataclass
class Entry:
    line: int
    flags: set[str] = field(default_factory=set)
    obsolete: bool = False
    msgctxt: str | None = None
    msgid: str = ""
    msgid_plural: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)

    @property
    def key(self) -> str:
        # How GNUTranslations keys a message with a context.
        return self.msgid if self.msgctxt is None else f"{self.msgctxt}\x04{self.msgid}"

    def __str__(self) -> str:
        return f"django.po line {self.line}: {self.msgid!r}"


def _parse(text: str) -> list[Entry]:
    """The entries of a .po file: enough of the format for makemessages' output
    (flags, context, plurals, obsolete entries, continued strings)."""
    entries: list[Entry] = []
    entry: Entry | None = None
    target = None  # (attribute, plural index) the next continued string extends
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            entry, target = None, None
            continue
        if entry is None:
            entry = Entry(line=number)
            entries.append(entry)
        if line.startswith("#~"):
            entry.obsolete = True
            continue
        if line.startswith("#,"):
            entry.flags |= {flag.strip() for flag in line[2:].split(",")}
            continue
        if line.startswith("#"):
            continue
        keyword, _, rest = line.partition(" ")
        if keyword.startswith('"'):
            keyword, rest = None, line
        if keyword is not None:
            match = re.fullmatch(r"msgstr\[(\d+)\]", keyword)
            if match:
                target = ("msgstr", int(match.group(1)))
            elif keyword in ("msgctxt", "msgid", "msgid_plural", "msgstr"):
                target = (keyword, 0)
            else:
                raise AssertionError(f"django.po line {number}: cannot read {raw!r}")
        value = ast.literal_eval(rest)
        name, index = target
        if name == "msgstr":
            entry.msgstr[index] = entry.msgstr.get(index, "") + value
        else:
            setattr(entry, name, (getattr(entry, name) or "") + value)
    return entries


@pytest.fixture(scope="module")
def entries() -> list[Entry]:
    parsed = _parse((CATALOGUE / "django.po").read_text(encoding="utf-8"))
    # The header is the entry with an empty msgid and no context.
    return [e for e in parsed if e.msgid or e.msgctxt is not None or e.obsolete]


def test_the_catalogue_is_read(entries):
    # A parser that found nothing would pass every test below.
    assert len(entries) > 1000
    assert any(entry.msgid_plural for entry in entries)
    assert any(entry.msgctxt for entry in entries)


def test_no_entry_is_untranslated(entries):
    untranslated = [
        str(entry)
        for entry in entries
        if not entry.obsolete and (not entry.msgstr or not all(entry.msgstr.values()))
    ]

    assert untranslated == []


def test_no_entry_is_fuzzy(entries):
    assert [str(entry) for entry in entries if "fuzzy" in entry.flags] == []


def test_no_obsolete_entries_are_kept(entries):
    assert [str(entry) for entry in entries if entry.obsolete] == []


def test_plural_entries_have_both_english_forms(entries):
    plurals = [entry for entry in entries if entry.msgid_plural]

    assert [str(e) for e in plurals if sorted(e.msgstr) != [0, 1]] == []


def test_translations_keep_every_named_placeholder(entries):
    broken = []
    for entry in entries:
        if "python-format" not in entry.flags:
            continue
        wanted = set(PLACEHOLDER.findall(entry.msgid_plural or entry.msgid))
        for text in entry.msgstr.values():
            if set(PLACEHOLDER.findall(text)) != wanted:
                broken.append(str(entry))

    assert broken == []


def test_the_compiled_catalogue_is_the_po_file(entries):
    # compilemessages must have run after the last edit of the .po.
    with open(CATALOGUE / "django.mo", "rb") as mo_file:
        compiled = gettext.GNUTranslations(mo_file)._catalog
    expected = {}
    for entry in entries:
        if entry.obsolete:
            continue
        if entry.msgid_plural:
            for index, text in entry.msgstr.items():
                expected[(entry.key, index)] = text
        else:
            expected[entry.key] = entry.msgstr[0]
    compiled = {key: text for key, text in compiled.items() if key != ""}

    assert compiled == expected
