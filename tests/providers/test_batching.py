"""send_all: a refused chunk is narrowed to its bad inputs, in bounded calls, in the batch's
own concurrency."""

from __future__ import annotations

import asyncio
import math
from collections.abc import Sequence
from datetime import UTC, datetime

from providers.batching import chunked, merge, narrowing_budget, send_all
from providers.domain import Batch, BatchStatus, Pair
from providers.errors import Conflict


class Upstream:
    """Refuses a whole call with 409 when it carries a bad pair; counts calls in flight."""

    def __init__(self, bad: set[Pair]) -> None:
        self.bad = bad
        self.calls = 0
        self.in_flight = 0
        self.most_in_flight = 0

    async def send(self, chunk: Sequence[Pair]) -> Batch[Pair]:
        self.calls += 1
        self.in_flight += 1
        self.most_in_flight = max(self.most_in_flight, self.in_flight)
        try:
            await asyncio.sleep(0)  # let the other slots run
            if self.bad & set(chunk):
                raise Conflict("conflict", provider="test", status=409)
            now = datetime.now(UTC)
            return Batch(BatchStatus.COMPLETE, list(chunk), [], now, now)
        finally:
            self.in_flight -= 1


async def test_one_bad_input_per_chunk_costs_about_two_log2_calls_within_the_concurrency():
    pairs = [Pair(str(i), str(1000 + i)) for i in range(400)]
    bad = {pairs[17], pairs[150], pairs[233], pairs[399]}  # one in each chunk of 100
    upstream = Upstream(bad)
    outcomes = await send_all(chunked(pairs, 100), upstream.send, 2, narrow_on=(Conflict,))
    batch = merge(pairs, outcomes, pair_of=lambda p: p, result_key=lambda r: r)
    assert len(batch.results) == 396
    assert {p for e in batch.errors for p in e.items} == bad
    extra = upstream.calls - 4
    assert extra <= 4 * 2 * math.ceil(math.log2(100))  # 2 x log2(chunk) per bad input
    assert upstream.most_in_flight <= 2  # splits queue for the batch's own slots


async def test_a_chunk_refused_for_everything_stops_at_its_budget():
    pairs = [Pair(str(i), str(i)) for i in range(100)]
    upstream = Upstream(set(pairs))
    outcomes = await send_all([pairs], upstream.send, 4, narrow_on=(Conflict,))
    batch = merge(pairs, outcomes, pair_of=lambda p: p, result_key=lambda r: r)
    assert batch.results == []
    assert {p for e in batch.errors for p in e.items} == set(pairs)  # none lost
    assert upstream.calls <= 1 + narrowing_budget(100)
