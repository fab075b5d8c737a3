"""The retry decision, table-tested: a pure function of the failure, the attempt and the time left."""

from __future__ import annotations

import pytest

from providers.errors import (
    AuthFailed,
    InvalidRequest,
    RateLimited,
    Unavailable,
    WireFormatError,
)
from providers.retry import RetryRules, backoff, next_wait

RULES = RetryRules(attempts=4, backoff_seconds=1.0, max_wait_seconds=5.0)
P = {"provider": "hubspot"}


@pytest.mark.parametrize(
    ("error", "safe", "attempt", "remaining", "expected"),
    [
        # 429: always retried, after Retry-After, cut to the cap; never past the deadline.
        (RateLimited("x", retry_after=2.0, **P), False, 1, 30.0, 2.0),
        (RateLimited("x", retry_after=20.0, **P), False, 1, 30.0, 5.0),
        (RateLimited("x", retry_after=40.0, **P), True, 1, 30.0, None),
        (RateLimited("x", retry_after=None, **P), False, 2, 30.0, 1.0),  # backoff, jitter 0.5
        (RateLimited("x", retry_after=1.0, scope="daily", **P), True, 1, 30.0, None),
        # 5xx, timeouts, dropped connections: only where repeating is safe...
        (Unavailable("x", status=503, **P), True, 1, 30.0, 0.5),
        (Unavailable("x", status=503, **P), False, 1, 30.0, None),
        # ... or where the request never left (a refused connection).
        (Unavailable("x", ambiguous=False, **P), False, 1, 30.0, 0.5),
        (WireFormatError("x", **P), True, 3, 30.0, 2.0),
        (WireFormatError("x", **P), False, 1, 30.0, None),
        # The provider's refusals are answers, not accidents.
        (InvalidRequest("x", status=400, **P), True, 1, 30.0, None),
        (AuthFailed("x", status=401, **P), True, 1, 30.0, None),
        # Bounded: the last attempt, or no time left, gives up.
        (Unavailable("x", status=503, **P), True, 4, 30.0, None),
        (Unavailable("x", status=503, **P), True, 1, 0.1, None),
    ],
)
def test_next_wait(error, safe, attempt, remaining, expected):
    wait = next_wait(
        error, attempt=attempt, safe=safe, remaining=remaining, rules=RULES, jitter=0.5
    )
    assert wait == expected


def test_backoff_is_exponential_capped_and_jittered():
    ceilings = [backoff(a, RULES, jitter=0.999999) for a in range(1, 7)]
    assert [round(c) for c in ceilings] == [1, 2, 4, 5, 5, 5]
    assert backoff(3, RULES, jitter=0.0) == 0.0  # full jitter: anywhere from 0
