"""Batch sizes at the provider's own limit, learnt per integration and endpoint.

A batch endpoint is first called with the largest batch its provider documents. Some limits
are known only by refusal (HubSpot answers a 400 to a batch over an account's limit), so when
a call is refused as too large the size is halved, the refused inputs go back to the front of
the queue, and the size that is left is remembered for that integration and endpoint for
``REMEMBER_SECONDS``; after that the documented maximum is tried again, in case the limit was
raised. A size forced by a setting replaces the documented maximum (and a refusal still halves
it, rather than failing its inputs).

``send_in_batches`` runs the queue: at most ``concurrency`` calls at once, each taking the size
known when it starts, so that once one call has learnt the limit, the following ones use it.
Splitting is bounded: each refusal at least halves the size, and a single input that is still
refused fails with the provider's error.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections import deque
from collections.abc import Awaitable, Callable, Hashable, Sequence
from dataclasses import dataclass
from typing import NamedTuple, TypeVar

from providers.domain import Batch
from providers.errors import ProviderError

K = TypeVar("K", bound=Hashable)
R = TypeVar("R")

REMEMBER_SECONDS = 3_600.0


class SizeKey(NamedTuple):
    """Whose limit: one integration's account, on one endpoint (its path template)."""

    provider: str
    integration_id: str
    endpoint: str


@dataclass(frozen=True)
class _Learnt:
    size: int
    until: float


class BatchSizes:
    """The sizes learnt so far, in this process (a replica learns its own in one refusal)."""

    def __init__(
        self,
        remember_seconds: float = REMEMBER_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._remember = remember_seconds
        self._clock = clock
        self._learnt: dict[SizeKey, _Learnt] = {}

    def size(self, key: SizeKey, start: int) -> int:
        """The size to send now: ``start`` (the documented or forced maximum) or less."""
        learnt = self._learnt.get(key)
        if learnt is None:
            return start
        if learnt.until <= self._clock():
            del self._learnt[key]
            return start
        return min(learnt.size, start)

    def refused(self, key: SizeKey, tried: int, start: int) -> int | None:
        """``tried`` inputs were too many: the size to retry with, ``None`` when there is none."""
        if tried <= 1:
            return None
        size = min(self.size(key, start), tried // 2)
        self._learnt[key] = _Learnt(size, self._clock() + self._remember)
        return size


Outcome = tuple[Sequence[K], Batch[R] | ProviderError]


async def send_in_batches(
    items: Sequence[K],
    send: Callable[[Sequence[K]], Awaitable[Batch[R]]],
    *,
    sizes: BatchSizes,
    key: SizeKey,
    start: int,
    concurrency: int,
    too_large: Callable[[ProviderError], bool],
) -> list[Outcome[K, R]]:
    """Send every item in batches of the learnt size; each batch's outcome, in no set order.

    A failure other than "too large" comes back as the batch's outcome, for ``merge`` to
    report on each of its inputs.
    """
    queue: deque[K] = deque(items)
    outcomes: list[Outcome[K, R]] = []

    async def worker() -> None:
        while queue:
            size = sizes.size(key, start)
            chunk = [queue.popleft() for _ in range(min(size, len(queue)))]
            try:
                outcomes.append((chunk, await send(chunk)))
            except ProviderError as exc:
                if too_large(exc) and sizes.refused(key, len(chunk), start) is not None:
                    queue.extendleft(reversed(chunk))
                else:
                    outcomes.append((chunk, exc))

    first_size = sizes.size(key, start)
    workers = min(max(1, concurrency), math.ceil(len(items) / first_size))
    await asyncio.gather(*(worker() for _ in range(workers)))
    return outcomes


__all__ = ["REMEMBER_SECONDS", "BatchSizes", "SizeKey", "send_in_batches"]
