"""The per-client rate limiter: rates from settings, clients by IP (IPv6 by
/64, behind a proxy by its header), fixed windows, and a cache outage that
locks nobody out."""

import pytest
from django.test import RequestFactory

from baitang import ratelimit
from baitang.ratelimit import Rate, client_of, hit, is_limited


@pytest.fixture(autouse=True)
def limits(settings):
    settings.RATE_LIMITS = {"test": "2/1m"}
    settings.RATE_LIMIT_CLIENT_IP_HEADER = ""


def request_from(address="192.0.2.7", **meta):
    return RequestFactory().get("/", REMOTE_ADDR=address, **meta)


@pytest.mark.parametrize(
    ("text", "rate"),
    [
        ("20/10m", Rate(20, 600)),
        ("5/h", Rate(5, 3600)),
        ("100/30s", Rate(100, 30)),
        ("1/d", Rate(1, 86400)),
    ],
)
def test_rates_are_read_from_settings_text(text, rate):
    assert Rate.parse(text) == rate


@pytest.mark.parametrize("text", ["", "20", "x/m", "20/10", "20/10y", "0/m", "-1/m"])
def test_a_malformed_rate_is_refused(text):
    with pytest.raises(ValueError):
        Rate.parse(text)


@pytest.mark.parametrize(
    ("address", "client"),
    [
        ("192.0.2.7", "192.0.2.7"),
        ("2001:db8:1:2:aaaa::1", "2001:db8:1:2::/64"),
        ("2001:db8:1:2:bbbb::9", "2001:db8:1:2::/64"),
        ("::ffff:192.0.2.7", "192.0.2.7"),
        ("not an address", "unknown"),
    ],
)
def test_a_client_is_an_ipv4_address_or_an_ipv6_block(address, client):
    assert client_of(request_from(address)) == client


def test_behind_a_proxy_the_rightmost_forwarded_address_counts(settings):
    settings.RATE_LIMIT_CLIENT_IP_HEADER = "HTTP_X_FORWARDED_FOR"
    request = request_from("10.0.0.1", HTTP_X_FORWARDED_FOR="6.6.6.6, 198.51.100.4")

    assert client_of(request) == "198.51.100.4"
    assert client_of(request_from("10.0.0.1")) == "10.0.0.1"


def test_hits_count_up_to_the_limit_per_client():
    request, other = request_from(), request_from("192.0.2.8")

    assert [hit("test", request) for _ in range(3)] == [False, False, True]
    assert is_limited("test", request)
    assert not is_limited("test", other)


def test_a_caller_may_count_something_else_than_the_address():
    # A household's forms count together, whichever address sends them.
    home, office = request_from(), request_from("192.0.2.8")

    hit("test", home, client="household:7")
    hit("test", office, client="household:7")

    assert is_limited("test", request_from("192.0.2.9"), client="household:7")
    assert not is_limited("test", home, client="household:8")
    assert not is_limited("test", home)


def test_the_count_starts_again_in_the_next_window(monkeypatch):
    request = request_from()
    now = [1_000_000.0]
    monkeypatch.setattr(ratelimit.time, "time", lambda: now[0])
    hit("test", request)
    hit("test", request)
    assert is_limited("test", request)

    now[0] += 60

    assert not is_limited("test", request)


def test_an_unreachable_cache_locks_nobody_out(monkeypatch):
    class Down:
        def __getattr__(self, name):
            def fail(*args, **kwargs):
                raise ConnectionError("redis is down")

            return fail

    monkeypatch.setattr(ratelimit, "cache", Down())

    assert hit("test", request_from()) is False
    assert is_limited("test", request_from()) is False
