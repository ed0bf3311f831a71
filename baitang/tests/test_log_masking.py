"""Household access codes are passwords in URLs: log lines carry only their
first three characters."""

import io
import logging

import pytest

from baitang.log_filters import MaskSecretPaths, mask_secret_paths

CODE = "ABCDE12345FGHJK"


@pytest.mark.parametrize(
    ("line", "masked"),
    [
        (f"Not Found: /s/{CODE}/", "Not Found: /s/ABC…/"),
        (f'"GET /s/{CODE}/c/12/ HTTP/1.1" 200', '"GET /s/ABC…/c/12/ HTTP/1.1" 200'),
        (f"/o/{CODE}/", "/o/ABC…/"),
        (f"/language/?next=%2Fs%2F{CODE}%2F", "/language/?next=%2Fs%2FABC…%2F"),
        ("/static/css/site.css", "/static/css/site.css"),
        ("/admin/surveys/campaign/", "/admin/surveys/campaign/"),
    ],
)
def test_codes_in_paths_are_shortened(line, masked):
    assert mask_secret_paths(line) == masked


def handler_filters(logger_name):
    logger = logging.getLogger(logger_name)
    handlers = logger.handlers or logging.getLogger().handlers
    return [f for h in handlers for f in h.filters if isinstance(f, MaskSecretPaths)]


@pytest.mark.parametrize("logger_name", ["django.request", "django.server"])
def test_every_handler_that_writes_requests_masks_them(logger_name):
    assert handler_filters(logger_name)


@pytest.mark.django_db
def test_a_wrong_code_leaves_no_full_code_in_the_log(client):
    root = logging.getLogger()
    handler = next(h for h in root.handlers if handler_filters_of(h))
    stream = io.StringIO()
    previous = handler.setStream(stream)
    try:
        client.get(f"/s/{CODE}/")
    finally:
        handler.setStream(previous)

    written = stream.getvalue()
    assert "Not Found: /s/ABC…/" in written
    assert CODE not in written


def handler_filters_of(handler):
    return [f for f in handler.filters if isinstance(f, MaskSecretPaths)]
