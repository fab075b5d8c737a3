"""Batch sizes learnt from refusals: halved, remembered for a while, then probed again."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import UTC, datetime

import pytest

from providers.batch_size import BatchSizes, SizeKey, send_in_batches
from providers.batching import narrowing_budget
from providers.domain import Batch, BatchStatus
from providers.errors import Conflict, InvalidRequest, ProviderError, Unavailable
from providers.hubspot.client import refused_as_too_large

KEY = SizeKey("hubspot", "int-1", "/crm/associations/2026-09/{fromObjectType}/...")


class Clock:
    now = 0.0

    def __call__(self) -> float:
        return self.now


def test_a_refusal_halves_the_size_for_a_while_then_the_maximum_is_tried_again():
    clock = Clock()
    sizes = BatchSizes(remember_seconds=60, clock=clock)
    assert sizes.size(KEY, 2_000) == 2_000
    assert sizes.refused(KEY, 2_000, 2_000) == 1_000
    assert sizes.refused(KEY, 2_000, 2_000) == 1_000  # a second refusal of the same size
    assert sizes.refused(KEY, 1_000, 2_000) == 500
    assert sizes.size(KEY, 2_000) == 500
    assert sizes.size(KEY, 100) == 100  # a smaller forced size still wins
    assert sizes.size(SizeKey("hubspot", "int-2", KEY.endpoint), 2_000) == 2_000
    clock.now = 60
    assert sizes.size(KEY, 2_000) == 2_000
    assert sizes.refused(KEY, 1, 2_000) is None  # one input cannot be split


def ok(chunk: Sequence[int]) -> Batch[int]:
    now = datetime.now(UTC)
    return Batch(BatchStatus.COMPLETE, list(chunk), [], now, now)


async def test_refused_batches_are_resent_smaller_and_every_item_is_sent_once_accepted():
    sent: list[int] = []

    async def send(chunk: Sequence[int]) -> Batch[int]:
        sent.append(len(chunk))
        if len(chunk) > 300:
            raise InvalidRequest("Batch input size must be between 1 and 300", provider="x")
        return ok(chunk)

    outcomes = await send_in_batches(
        list(range(1_000)),
        send,
        sizes=BatchSizes(),
        key=KEY,
        start=1_000,
        concurrency=1,
        too_large=lambda e: "size" in e.message,
    )
    assert sent == [1_000, 500, 250, 250, 250, 250]
    accepted = sorted(i for _, b in outcomes if isinstance(b, Batch) for i in b.results)
    assert accepted == list(range(1_000))


async def test_other_failures_and_a_single_refused_input_come_back_as_outcomes():
    async def send(chunk: Sequence[int]) -> Batch[int]:
        if 0 in chunk:
            raise InvalidRequest("too large", provider="x")
        raise Unavailable("down", provider="x")

    outcomes = await send_in_batches(
        [0, 1, 2, 3],
        send,
        sizes=BatchSizes(),
        key=KEY,
        start=4,
        concurrency=2,
        too_large=lambda e: isinstance(e, InvalidRequest),
    )
    failures: dict[int, type[ProviderError]] = {
        i: type(o) for chunk, o in outcomes if isinstance(o, ProviderError) for i in chunk
    }
    assert failures == {0: InvalidRequest, 1: Unavailable, 2: Unavailable, 3: Unavailable}


@pytest.mark.parametrize(
    ("error", "too_large"),
    [
        (
            InvalidRequest(
                "Batch input size must be between 1 and 100, got 101",
                provider="hubspot",
                status=400,
            ),
            True,
        ),
        (
            InvalidRequest(
                "Too many inputs: the batch exceeds the limit", provider="hubspot", status=400
            ),
            True,
        ),
        (InvalidRequest("request entity too large", provider="hubspot", status=413), True),
        (
            InvalidRequest(
                "Invalid input JSON: 'inputs' is required and must be an array",
                provider="hubspot",
                status=400,
            ),
            False,
        ),
        (
            InvalidRequest(
                "contact_to_robot is not a valid association type", provider="hubspot", status=400
            ),
            False,
        ),
        (Unavailable("Batch input size limit", provider="hubspot", status=503), False),
    ],
)
def test_what_hubspot_refuses_as_too_large(error, too_large):
    assert refused_as_too_large(error) is too_large


async def test_a_batch_refused_for_one_input_is_narrowed_within_the_concurrency():
    in_flight, most, calls = 0, 0, 0

    async def send(chunk: Sequence[int]) -> Batch[int]:
        nonlocal in_flight, most, calls
        calls += 1
        in_flight += 1
        most = max(most, in_flight)
        await asyncio.sleep(0)
        in_flight -= 1
        if 62 in chunk:
            raise Conflict("62 conflicts", provider="x")
        return ok(chunk)

    outcomes = await send_in_batches(
        list(range(100)),
        send,
        sizes=BatchSizes(),
        key=KEY,
        start=100,
        concurrency=2,
        too_large=lambda e: False,
        narrow_on=(Conflict,),
    )
    failed = [chunk for chunk, o in outcomes if isinstance(o, ProviderError)]
    assert failed == [[62]]
    accepted = sorted(i for _, b in outcomes if isinstance(b, Batch) for i in b.results)
    assert accepted == [i for i in range(100) if i != 62]
    assert calls <= 1 + narrowing_budget(100)
    assert most == 2  # the halves share the batch's two slots, and use both
