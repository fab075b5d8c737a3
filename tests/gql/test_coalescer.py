"""The coalescer's window: one call per window, each caller its offset, cancellation isolated."""

from __future__ import annotations

import asyncio

import pytest

from gql.coalescing import Coalescer


async def test_callers_in_one_window_share_one_call_and_know_their_offsets():
    calls: list[list[int]] = []

    async def call(items: list[int]) -> list[int]:
        calls.append(items)
        return [i * 10 for i in items]

    coalescer = Coalescer(0.01)
    answers = await asyncio.gather(
        coalescer.submit("k", [1, 2], call),
        coalescer.submit("k", [3], call),
        coalescer.submit("other", [4], call),
    )
    assert calls == [[1, 2, 3], [4]]
    assert answers == [([10, 20, 30], 0), ([10, 20, 30], 2), ([40], 0)]


async def test_a_caller_that_goes_away_leaves_the_others_their_answer():
    async def call(items: list[int]) -> int:
        return sum(items)

    coalescer = Coalescer(0.01)
    leaving = asyncio.ensure_future(coalescer.submit("k", [1], call))
    staying = asyncio.ensure_future(coalescer.submit("k", [2], call))
    await asyncio.sleep(0)
    leaving.cancel()
    assert await staying == (3, 1)
    with pytest.raises(asyncio.CancelledError):
        await leaving


async def test_a_failed_call_fails_each_caller_of_its_window():
    async def call(items: list[int]) -> int:
        raise RuntimeError("upstream down")

    coalescer = Coalescer(0.01)
    results = await asyncio.gather(
        coalescer.submit("k", [1], call), coalescer.submit("k", [2], call), return_exceptions=True
    )
    assert [str(r) for r in results] == ["upstream down", "upstream down"]
