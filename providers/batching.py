"""Splitting inputs into provider-sized chunks and merging the replies into one batch.

Shared by every client with a batch endpoint. The merge keeps one promise: each input ends up
in ``results`` or in an error's ``items``, never in neither.
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import Awaitable, Callable, Hashable, Sequence
from dataclasses import replace
from datetime import UTC, datetime
from typing import TypeAlias, TypeVar

from providers.domain import Batch, BatchError, BatchStatus, Pair
from providers.errors import (
    AuthFailed,
    Conflict,
    InvalidRequest,
    NotFound,
    ProviderError,
    RateLimited,
)

K = TypeVar("K", bound=Hashable)  # an input item
R = TypeVar("R")  # a result item
T = TypeVar("T")


def chunked(items: Sequence[T], size: int) -> list[Sequence[T]]:
    return [items[i : i + size] for i in range(0, len(items), size)]


Outcome: TypeAlias = tuple[Sequence[K], Batch[R] | ProviderError]


def narrowing_budget(chunk_size: int, bad_inputs: int = 4) -> int:
    """Extra calls one refused chunk may spend: finding one bad input among ``n`` costs
    about 2 x log2(n) calls (both halves at each level), enough here for ``bad_inputs``."""
    return 2 * max(1, math.ceil(math.log2(max(chunk_size, 2)))) * bad_inputs


async def send_all(
    chunks: Sequence[Sequence[K]],
    send: Callable[[Sequence[K]], Awaitable[Batch[R]]],
    concurrency: int,
    *,
    narrow_on: tuple[type[ProviderError], ...] = (),
) -> list[tuple[Sequence[K], Batch[R] | ProviderError]]:
    """Send every chunk, at most ``concurrency`` calls at a time; failures come back as values.

    A chunk refused as a whole with one of ``narrow_on`` (HubSpot's 409, a 400 naming one
    input) is split in halves until the refusal is down to the inputs that cause it, within
    ``narrowing_budget`` extra calls per chunk. The halves queue for the same slots as every
    other call: a split never holds a slot while it waits, and opens no semaphore of its own.
    Returns (inputs, outcome) pairs covering every input once.
    """
    gate = asyncio.Semaphore(max(1, concurrency))

    async def one(chunk: Sequence[K], budget: list[int]) -> list[Outcome[K, R]]:
        async with gate:
            try:
                return [(chunk, await send(chunk))]
            except narrow_on as exc:
                if len(chunk) == 1 or budget[0] < 2:
                    return [(chunk, exc)]
            except ProviderError as exc:
                return [(chunk, exc)]
        budget[0] -= 2
        half = len(chunk) // 2
        left, right = await asyncio.gather(one(chunk[:half], budget), one(chunk[half:], budget))
        return left + right

    sent = await asyncio.gather(*(one(c, [narrowing_budget(len(c))]) for c in chunks))
    return [outcome for outcomes in sent for outcome in outcomes]


def error_for_items(exc: ProviderError, items: Sequence[Pair]) -> BatchError:
    """A whole call failed: every input it carried is reported with the reason. A refusal of
    the items (400, 404, 409) carries the provider's own code, as its batch replies name item
    errors; anything else (5xx, a timeout) the kind of failure, such as ``Unavailable``."""
    about_items = isinstance(exc, InvalidRequest | NotFound | Conflict)
    return BatchError(
        message=exc.message,
        category=(exc.code if about_items else None) or type(exc).__name__,
        items=tuple(items),
        request_id=exc.request_id,
    )


def merge(
    inputs: Sequence[K],
    outcomes: Sequence[Outcome[K, R]],
    *,
    pair_of: Callable[[K], Pair],
    result_key: Callable[[R], K | None],
) -> Batch[R]:
    """Merge per-chunk outcomes into one batch in input order, accounting for every input.

    ``result_key`` names the input a result answers (``None``: not one of ours, kept last).
    Raises the first error when every chunk failed the same way for a reason that is not about
    the items (authentication, daily quota), so the caller sees one clear error.
    """
    failures = [o for _, o in outcomes if isinstance(o, ProviderError)]
    if failures and len(failures) == len(outcomes) and _whole_request_failure(failures[0]):
        raise failures[0]

    results: dict[K, R] = {}
    extra: list[R] = []
    errors: list[BatchError] = []
    started: list[datetime] = []
    completed: list[datetime] = []
    for chunk, outcome in outcomes:
        if isinstance(outcome, ProviderError):
            errors.append(error_for_items(outcome, [pair_of(i) for i in chunk]))
            continue
        started.append(outcome.started_at)
        completed.append(outcome.completed_at)
        for result in outcome.results:
            key = result_key(result)
            if key is None:
                extra.append(result)
            else:
                results.setdefault(key, result)
        errors.extend(outcome.errors)

    done = {pair_of(k) for k in results}
    claimed = {p for e in errors for p in e.items}
    missing = [pair_of(i) for i in inputs if i not in results and pair_of(i) not in claimed]
    if missing:
        errors.append(
            BatchError(
                message="The provider reported neither a result nor an error for these inputs",
                category="MISSING_FROM_REPLY",
                items=tuple(dict.fromkeys(missing)),
            )
        )
    # An error never claims an input that did succeed.
    errors = [
        e if not (set(e.items) & done) else _without(e, done)
        for e in errors
        if not e.items or set(e.items) - done
    ]
    now = datetime.now(UTC)
    return Batch(
        status=BatchStatus.COMPLETE,
        results=[results[i] for i in dict.fromkeys(inputs) if i in results] + extra,
        errors=errors,
        started_at=min(started, default=now),
        completed_at=max(completed, default=now),
    )


def _without(error: BatchError, done: set[Pair]) -> BatchError:
    return replace(error, items=tuple(p for p in error.items if p not in done))


def _whole_request_failure(exc: ProviderError) -> bool:
    return isinstance(exc, AuthFailed) or (isinstance(exc, RateLimited) and exc.scope == "daily")
