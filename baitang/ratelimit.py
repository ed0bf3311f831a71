"""A small per-client rate limiter on the cache (Redis in production).

Fixed windows: one counter per scope, client and window, which expires with the
window; `cache.incr` is atomic on Redis, so parallel workers count together.
Limits are settings (`RATE_LIMITS`, "count/period" with the period in s, m, h
or d), so a street office behind one carrier-grade NAT can be given room.

A client is its IP address: the one the web server connected from, or the
rightmost address of the header the trusted proxy sets
(`RATE_LIMIT_CLIENT_IP_HEADER`, e.g. HTTP_X_REAL_IP). IPv6 clients are counted
per /64, the block one subscriber gets. A caller may count something else
instead (`client=`, e.g. a household, whichever address it comes from).
Clients are hashed in cache keys.

When the cache is unreachable the limiter lets requests through (logged): a
Redis outage must not lock every resident out.
"""

import hashlib
import ipaddress
import logging
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache

logger = logging.getLogger(__name__)

_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


@dataclass(frozen=True)
class Rate:
    limit: int
    seconds: int

    @classmethod
    def parse(cls, text: str) -> "Rate":
        """ "20/10m" → 20 per 600 seconds; "5/h" → 5 per hour."""
        count, _slash, period = text.strip().partition("/")
        number, unit = period[:-1] or "1", period[-1:]
        if not count.isdigit() or not number.isdigit() or unit not in _UNITS:
            raise ValueError(f"rate {text!r} is not like '20/10m'")
        seconds = int(number) * _UNITS[unit]
        if int(count) < 1 or seconds < 1:
            raise ValueError(f"rate {text!r} must allow at least one per second")
        return cls(limit=int(count), seconds=seconds)


def rate_for(scope: str) -> Rate:
    return Rate.parse(settings.RATE_LIMITS[scope])


def client_of(request) -> str:
    """The client a request counts against: an IPv4 address or an IPv6 /64."""
    header = getattr(settings, "RATE_LIMIT_CLIENT_IP_HEADER", "")
    raw = request.META.get(header, "") if header else ""
    raw = raw.split(",")[-1].strip() or request.META.get("REMOTE_ADDR", "")
    try:
        address = ipaddress.ip_address(raw)
    except ValueError:
        return "unknown"
    if address.version == 6:
        if address.ipv4_mapped:
            return str(address.ipv4_mapped)
        return str(ipaddress.ip_network(f"{address}/64", strict=False))
    return str(address)


def _key(scope: str, request, rate: Rate, client: str | None = None) -> str:
    window = int(time.time() // rate.seconds)
    digest = hashlib.sha256((client or client_of(request)).encode()).hexdigest()[:20]
    return f"ratelimit:{scope}:{rate.seconds}:{window}:{digest}"


def seconds_left(scope: str) -> int:
    """Seconds until the current window of a scope ends (for Retry-After)."""
    seconds = rate_for(scope).seconds
    return max(1, int(seconds - time.time() % seconds))


def is_limited(scope: str, request, *, client: str | None = None) -> bool:
    """Whether this client has used up the scope's allowance (nothing counted)."""
    rate = rate_for(scope)
    try:
        used = cache.get(_key(scope, request, rate, client), 0)
    except Exception:  # the cache is down: let the request through
        logger.warning("rate limiter: cache unreachable", exc_info=True)
        return False
    return used >= rate.limit


def hit(scope: str, request, *, client: str | None = None) -> bool:
    """Count one use against the client; True when it went over the limit."""
    rate = rate_for(scope)
    key = _key(scope, request, rate, client)
    try:
        cache.add(key, 0, rate.seconds + 1)
        try:
            used = cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, rate.seconds + 1)
            used = 1
    except Exception:
        logger.warning("rate limiter: cache unreachable", exc_info=True)
        return False
    return used > rate.limit
