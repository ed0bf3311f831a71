"""Mainland phone numbers, written one way whatever way they were typed.

Every write of a phone number (owners, households' contact phones, governance
members; admin, API, importer) goes through `normalise_phone`, so the same
number is always the same text: owners are matched on it, `mask_phone` shows
139****6789 and the export writes it back unchanged.

- mobiles: 11 digits, "+86 139-2345-6789", "0086 13923456789", "139 2345 6789"
  → "13923456789";
- landlines keep their area code readable: "(0756)1234567", "0756 123 4567",
  "+86 756 1234567" → "0756-1234567"; an extension follows 转: "0756-1234567转8001";
- 400/800 service numbers: "4008008888" → "400-800-8888";
- numbers abroad get the international prefix 00: "+853 6612 3456" →
  "0085366123456";
- a local number without area code (7–8 digits) and short service numbers
  (95588) are kept as digits;
- what clerks write for "none" ("/", "-", "无", "暂无", "不详") is blank.
"""

import re
import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

# What clerks type for "nothing" in an optional cell (compared after NFKC,
# without spaces, lower-cased).
NOTHING_MARKERS = frozenset(
    {
        "/",
        "\\",
        "-",
        "--",
        "—",
        "——",
        "–",
        "－",
        "─",
        "无",
        "暂无",
        "没有",
        "不详",
        "未知",
        "空",
        "n/a",
        "na",
        "none",
        "null",
        "#n/a",
    }
)

_SEPARATORS = re.compile(r"[\s\-‐‑‒–—―─－().·]+")
_EXTENSION = re.compile(r"(?:转|分机|ext\.?|x)\s*(\d{1,6})$")
_ALLOWED = re.compile(r"[+\d\s\-‐‑‒–—―─－().·]+")
_MOBILE = re.compile(r"1[3-9]\d{9}")


def is_nothing(text: str) -> bool:
    """True for a blank cell or what clerks write for "none"."""
    key = re.sub(r"\s+", "", unicodedata.normalize("NFKC", text or "")).lower()
    return not key or key in NOTHING_MARKERS


def _digits_of(main: str) -> str | None:
    """The national number (without country code) of one typed number."""
    international = main.startswith("+")
    digits = re.sub(r"\D", "", main)
    if digits.startswith("0086"):
        digits, international = digits[4:], True
    elif international and digits.startswith("86"):
        digits = digits[2:]
    elif (
        len(digits) == 13 and digits.startswith("86") and _MOBILE.fullmatch(digits[2:])
    ):
        digits, international = digits[2:], True
    elif international or digits.startswith("00"):
        # Abroad (owners in Macao or Hong Kong): the international prefix 00,
        # never "+", which a spreadsheet would read as the start of a formula.
        digits = digits.removeprefix("00")
        return f"00{digits}" if 7 <= len(digits) <= 15 else None
    if international and not _MOBILE.fullmatch(digits) and digits[:1] != "0":
        digits = "0" + digits  # "+86 756 1234567": the trunk 0 comes back
    return digits


def _format(digits: str) -> str | None:
    if _MOBILE.fullmatch(digits) or re.fullmatch(r"00[1-9]\d{6,14}", digits):
        return digits
    if re.fullmatch(r"0\d{9,11}", digits):
        # 010 and 02x are the three-digit area codes; all others have four.
        area = 3 if digits[1] in "12" else 4
        local = digits[area:]
        if 7 <= len(local) <= 8:
            return f"{digits[:area]}-{local}"
        return None
    if re.fullmatch(r"[48]00\d{7}", digits):
        return f"{digits[:3]}-{digits[3:6]}-{digits[6:]}"
    if re.fullmatch(r"\d{5,8}", digits):
        return digits
    return None


def _normalise_one(text: str) -> str | None:
    extension = ""
    found = _EXTENSION.search(text)
    if found:
        extension = found.group(1)
        text = text[: found.start()]
    text = text.strip()
    if not text or not _ALLOWED.fullmatch(text):
        return None
    digits = _digits_of(_SEPARATORS.sub("", text))
    number = _format(digits) if digits else None
    if number is None:
        return None
    return f"{number}转{extension}" if extension else number


def normalise_phone(value, *, strict: bool = True) -> str:
    """One phone number (or several separated by "/"), normalised.

    With `strict` a text that is not a phone number raises a ValidationError in
    Chinese; without it (data migrations) such a text is kept, only tidied.
    """
    if value is None:
        return ""
    text = unicodedata.normalize("NFKC", str(value)).strip().lower()
    if is_nothing(text):
        return ""
    parts = [part for part in re.split(r"[/、,;]+", text) if part.strip()]
    numbers = [_normalise_one(part) for part in parts]
    if parts and all(numbers):
        return "/".join(numbers)
    if strict:
        raise ValidationError(
            _(
                "「%(value)s」不是有效的电话号码：手机号为11位数字，"
                "座机请带区号，如 0756-1234567。"
            )
            % {"value": str(value).strip()[:30]},
            code="invalid_phone",
        )
    return re.sub(r"\s+", " ", unicodedata.normalize("NFKC", str(value))).strip()
