"""Counting attempts in the cache: a fixed window per limit and subject (a user, an address).

The cache is shared by every web process when REDIS_URL is set (settings.CACHES); subjects are
hashed, so no address or e-mail is written to the cache in clear.
"""

import hashlib
from dataclasses import dataclass

from django.core.cache import cache


@dataclass(frozen=True)
class Limit:
    name: str
    attempts: int  # allowed within the window
    seconds: int  # the window, counted from the first attempt


def _key(limit: Limit, subject: str) -> str:
    return f"throttle:{limit.name}:{hashlib.sha256(subject.encode()).hexdigest()}"


def exhausted(limit: Limit, subject: str) -> bool:
    """Whether `subject` has used up its attempts in the current window."""
    return cache.get(_key(limit, subject), 0) >= limit.attempts


def hit(limit: Limit, subject: str) -> bool:
    """Counts one attempt; whether it was within the limit."""
    key = _key(limit, subject)
    cache.add(key, 0, timeout=limit.seconds)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=limit.seconds)
        count = 1
    return count <= limit.attempts


def clear(limit: Limit, subject: str) -> None:
    cache.delete(_key(limit, subject))
