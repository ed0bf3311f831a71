"""Logging filters every handler shares."""

import logging
import re

# A household's access code (/s/<code>/) or an estate's open-link token
# (/o/<token>/) in a path, plain or URL-encoded (a ?next= parameter).
_SECRET_IN_PATH = re.compile(
    r"(?P<prefix>(?:/|%2F)[so](?:/|%2F))(?P<secret>[0-9A-Za-z-]{4,})", re.IGNORECASE
)


def mask_secret_paths(text: str) -> str:
    """Keep the first three characters of each secret in a path: enough to tell
    two log lines apart, nowhere near enough to open a household's page."""
    return _SECRET_IN_PATH.sub(
        lambda match: f"{match['prefix']}{match['secret'][:3]}…", text
    )


class MaskSecretPaths(logging.Filter):
    """Access codes are passwords in the URL: Django logs the path of every 4xx
    (django.request) and the development server logs every request line
    (django.server). This filter shortens them before any handler writes."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken record is the logging module's to report
            return True
        masked = mask_secret_paths(message)
        if masked != message:
            record.msg, record.args = masked, None
        return True
