"""The elder mode (长辈版): a site-wide display preference, like the language.

MIIT's elderly-friendly rules ask for a one-tap switch on the first screen:
larger text, 60 px targets, one column. It is remembered in a cookie and
changes nothing but how pages look; pages cached per visitor vary on it
through the Cookie header."""

ELDER_COOKIE = "elder_mode"
ELDER_COOKIE_AGE = 365 * 24 * 3600


def is_elder_mode(request) -> bool:
    return request.COOKIES.get(ELDER_COOKIE) == "1"
