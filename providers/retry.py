"""When to try a provider call again, and how long to wait first: one pure decision.

``ProviderClient._request`` (``providers/base.py``) runs the one retry loop; each failed attempt
comes here as an error from the tree (``providers/errors.py``) and leaves as a wait in seconds,
or ``None`` to give up and raise it. Nothing here sleeps, reads a clock or draws a random number:
the caller hands in the time left and the jitter (stripe-python's ``_should_retry`` is the model).

* A 429 (or HighLevel/HubSpot burst refusal) is always retried: the provider did nothing. The
  wait is its ``Retry-After`` (else the backoff), cut to ``max_wait_seconds``; a wait that would
  end past the request's deadline gives up at once, so the caller learns ``RATE_LIMITED`` with
  ``retryAfter`` instead of a timeout. A spent daily quota is never retried.
* A 5xx, a timeout, a dropped connection or a garbled reply is retried only when the endpoint is
  safe to repeat (``safe``), or when the request surely never left (a refused connection).
* The backoff is exponential, capped, with full jitter (AWS Architecture Blog, "Exponential
  Backoff and Jitter"): many calls failing together do not come back together.
* ``attempts`` bounds every call, whatever the mix of failures.

The request deadline (``CRMGRAPH_REQUEST_DEADLINE_SECONDS``) is a context variable set where a
GraphQL request enters, so every provider call the request makes shares one budget of time.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator
from contextvars import ContextVar
from dataclasses import dataclass

from providers.errors import ProviderError, RateLimited, Unavailable, WireFormatError


@dataclass(frozen=True)
class RetryRules:
    attempts: int = 5  # sends per call, first one included
    backoff_seconds: float = 0.2  # the first backoff's ceiling; doubled on every attempt
    max_wait_seconds: float = 60.0  # the longest single wait (a Retry-After above it is cut)


def backoff(attempt: int, rules: RetryRules, jitter: float) -> float:
    """Full jitter: uniformly within [0, min(cap, base * 2^(attempt-1))); ``jitter`` in [0, 1)."""
    ceiling = min(rules.max_wait_seconds, rules.backoff_seconds * 2 ** (attempt - 1))
    return float(jitter * ceiling)


def next_wait(
    error: ProviderError,
    *,
    attempt: int,
    safe: bool,
    remaining: float,
    rules: RetryRules,
    jitter: float,
) -> float | None:
    """Seconds to wait before attempt ``attempt + 1`` after ``error``, or ``None`` to give up.

    ``remaining`` is the time left before the request's deadline.
    """
    if attempt >= rules.attempts:
        return None
    if isinstance(error, RateLimited):
        if error.scope == "daily":
            return None
        wanted = error.retry_after
        if wanted is None:
            wanted = backoff(attempt, rules, jitter)
        return min(wanted, rules.max_wait_seconds) if wanted <= remaining else None
    if isinstance(error, Unavailable):
        if error.ambiguous and not safe:
            return None
    elif not (isinstance(error, WireFormatError) and safe):
        return None
    wait = backoff(attempt, rules, jitter)
    return wait if wait < remaining else None


# -- the request deadline ---------------------------------------------------------------------
_DEADLINE: ContextVar[float | None] = ContextVar("crmgraph_request_deadline", default=None)


@contextlib.contextmanager
def deadline_in(seconds: float) -> Iterator[None]:
    """Every provider call made inside (and in tasks started inside) ends within ``seconds``."""
    token = _DEADLINE.set(time.monotonic() + seconds)
    try:
        yield
    finally:
        _DEADLINE.reset(token)


def deadline(default_seconds: float) -> float:
    """The current request's deadline (``time.monotonic``), else ``default_seconds`` from now."""
    found = _DEADLINE.get()
    return found if found is not None else time.monotonic() + default_seconds


__all__ = ["RetryRules", "backoff", "deadline", "deadline_in", "next_wait"]
