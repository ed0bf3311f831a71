"""Household access codes: how a household opens its own page without an account.

A code is 15 characters of Crockford's base 32 (75 random bits). The printed
alphabet has no look-alikes: no I, L, O or U. What people type is forgiving:
case, spaces and dashes do not matter, and O, I and L are read as 0, 1 and 1.
"""

import secrets

import segno

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_LENGTH = 15  # 15 × 5 bits = 75 bits of randomness
GROUP = 5
_TYPED_ALIKE = str.maketrans({"O": "0", "I": "1", "L": "1"})
_ALPHABET_SET = frozenset(ALPHABET)


def new_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))


def normalise_code(raw: str) -> str | None:
    """The code a person meant, or None when it cannot be a code at all."""
    if not isinstance(raw, str) or len(raw) > 64:
        return None
    cleaned = "".join(raw.split()).replace("-", "").upper().translate(_TYPED_ALIKE)
    if len(cleaned) != CODE_LENGTH or not set(cleaned) <= _ALPHABET_SET:
        return None
    return cleaned


def format_code(code: str) -> str:
    """ABCDE-FGHJK-MNPQR: groups of five, easier to read out and type."""
    return "-".join(code[i : i + GROUP] for i in range(0, len(code), GROUP))


def qr_svg(url: str) -> str:
    """An inline SVG QR code for a URL (no XML declaration, scales with CSS)."""
    return segno.make(url, error="m").svg_inline(
        scale=4, border=2, omitsize=True, svgclass="qr"
    )
