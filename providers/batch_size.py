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
refused fails with the provider's error. It also narrows a batch refused for one input (a
409, a 400), as ``batching.send_all`` does for fixed chunks.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Awaitable, Callable, Hashable, Sequence
from dataclasses import dataclass
from typing import NamedTuple, TypeVar

from providers.batching import Outcome, narrowing_budget
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


async def send_in_batches(
    items: Sequence[K],
    send: Callable[[Sequence[K]], Awaitable[Batch[R]]],
    *,
    sizes: BatchSizes,
    key: SizeKey,
    start: int,
    concurrency: int,
    too_large: Callable[[ProviderError], bool],
    narrow_on: tuple[type[ProviderError], ...] = (),
) -> list[Outcome[K, R]]:
    """Send every item in batches of the learnt size; each batch's outcome, in no set order.

    A batch refused as too large goes back to the queue, to be resent at the halved size. A
    batch refused whole with one of ``narrow_on`` for what one input holds (HubSpot's 409, a
    400 naming one input) is split in halves until the refusal is down to that input, within
    ``narrowing_budget`` extra calls per batch (as ``batching.send_all`` does); the halves take
    their turn with the rest, so no more than ``concurrency`` calls are ever in flight. Any
    other failure comes back as the batch's outcome, for ``merge`` to report on each input.
    """
    queue: deque[K] = deque(items)
    halves: deque[tuple[Sequence[K], list[int]]] = deque()  # (inputs, their chunk's budget)
    outcomes: list[Outcome[K, R]] = []
    changed = asyncio.Condition()  # work was queued, or a call ended
    in_flight = [0]  # calls being sent (a list: the workers share it)

    def take() -> tuple[Sequence[K], list[int]]:
        if halves:
            return halves.popleft()
        size = sizes.size(key, start)
        chunk = [queue.popleft() for _ in range(min(size, len(queue)))]
        return chunk, [narrowing_budget(len(chunk))]

    async def worker() -> None:
        while True:
            async with changed:
                # An idle worker stays while calls are in flight: they may queue more work.
                await changed.wait_for(lambda: bool(halves or queue) or in_flight[0] == 0)
                if not (halves or queue):
                    return
                chunk, budget = take()
                in_flight[0] += 1
            try:
                outcomes.append((chunk, await send(chunk)))
            except ProviderError as exc:
                if too_large(exc) and sizes.refused(key, len(chunk), start) is not None:
                    queue.extendleft(reversed(chunk))
                elif isinstance(exc, narrow_on) and len(chunk) > 1 and budget[0] >= 2:
                    budget[0] -= 2
                    half = len(chunk) // 2
                    halves.extend([(chunk[:half], budget), (chunk[half:], budget)])
                else:
                    outcomes.append((chunk, exc))
            finally:
                async with changed:
                    in_flight[0] -= 1
                    changed.notify_all()

    await asyncio.gather(*(worker() for _ in range(max(1, concurrency))))
    return outcomes


__all__ = ["REMEMBER_SECONDS", "BatchSizes", "SizeKey", "send_in_batches"]
