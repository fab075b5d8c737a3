"""Fault schedules, rate windows, call recording and serving, independent of any provider."""

from __future__ import annotations

import asyncio
from typing import Any

import aiohttp
import pytest

from emulators import FaultKind, FaultPlan, FaultRule, parse_rule, start
from emulators.common import LimitVerdict, RateWindow
from emulators.hubspot import HubSpotState, create_app

from .conftest import HS_TOKEN

AUTH = {"Authorization": f"Bearer {HS_TOKEN}"}


def fire_pattern(rule: FaultRule, calls: int) -> list[bool]:
    return [rule.decide() for _ in range(calls)]


def test_every_nth_call_fires() -> None:
    rule = FaultRule(FaultKind.SERVER_ERROR, every=3)
    assert fire_pattern(rule, 7) == [False, False, True, False, False, True, False]
    assert (rule.matched, rule.fired) == (7, 2)


def test_rate_is_reproducible_for_a_seed() -> None:
    first = fire_pattern(FaultRule(FaultKind.DROP, rate=0.5, seed=42), 50)
    second = fire_pattern(FaultRule(FaultKind.DROP, rate=0.5, seed=42), 50)
    other = fire_pattern(FaultRule(FaultKind.DROP, rate=0.5, seed=7), 50)
    assert first == second
    assert first != other
    assert 10 < sum(first) < 40


def test_times_budget_and_default_schedule() -> None:
    rule = FaultRule(FaultKind.RATE_LIMIT, times=2)
    assert fire_pattern(rule, 4) == [True, True, False, False]
    assert rule.exhausted


@pytest.mark.parametrize(
    "options",
    [
        {"every": 0},
        {"rate": 1.5},
        {"every": 2, "rate": 0.5},
    ],
)
def test_invalid_schedules_are_refused(options: dict[str, Any]) -> None:
    with pytest.raises(ValueError, match=r"every|rate"):
        FaultRule(FaultKind.TIMEOUT, **options)


def test_server_error_status_must_be_5xx() -> None:
    assert FaultRule(FaultKind.SERVER_ERROR).status == 500
    with pytest.raises(ValueError, match="500, 502 or 503"):
        FaultRule(FaultKind.SERVER_ERROR, status=404)


def test_plan_matches_method_and_path_and_first_firing_rule_wins() -> None:
    plan = FaultPlan()
    post_only = plan.inject("server_error", method="post", path=r"/batch/create$", status=503)
    catch_all = plan.inject(FaultKind.RATE_LIMIT)
    assert plan.pick("POST", "/crm/v3/associations/a/b/batch/create") is post_only
    assert plan.pick("GET", "/crm/v3/associations/a/b/batch/create") is catch_all
    assert plan.pick("POST", "/crm/v4/associations/a/b/batch/read") is catch_all
    assert post_only.matched == 1
    assert plan.fired == 3
    plan.clear()
    assert plan.pick("POST", "/x") is None


def test_partial_batch_failing_indexes() -> None:
    assert FaultRule(FaultKind.PARTIAL_BATCH).failing_indexes(5) == {1, 3}
    assert FaultRule(FaultKind.PARTIAL_BATCH).failing_indexes(1) == {0}
    assert FaultRule(FaultKind.PARTIAL_BATCH, fail_indexes=(0, 9)).failing_indexes(3) == {0}


def test_parse_rule() -> None:
    rule = parse_rule("rate_limit:method=POST;path=/batch/;rate=0.25;seed=7;retry_after=0;times=3")
    assert (rule.kind, rule.method, rule.path, rule.rate) == ("rate_limit", "POST", "/batch/", 0.25)
    assert (rule.seed, rule.retry_after, rule.times) == (7, 0, 3)
    timeout = parse_rule("timeout:delay=0.5;apply_before_fault=true")
    assert timeout.delay == 0.5
    assert timeout.apply_before_fault
    assert parse_rule("partial_batch:fail_indexes=0,2").fail_indexes == (0, 2)
    with pytest.raises(ValueError, match="unknown fault option"):
        parse_rule("drop:bogus=1")
    with pytest.raises(ValueError, match="not_a_kind"):
        parse_rule("not_a_kind")


def test_rate_window_burst_daily_and_retry_after() -> None:
    window = RateWindow(burst_max=2, interval_s=10, daily_max=3)
    assert [window.acquire(0), window.acquire(1), window.acquire(2)] == [
        LimitVerdict.OK,
        LimitVerdict.OK,
        LimitVerdict.BURST,
    ]
    assert window.retry_after(2) == 8
    assert window.burst_remaining(10.5) == 1
    assert window.acquire(10.5) is LimitVerdict.OK
    assert window.acquire(30) is LimitVerdict.DAILY
    assert window.daily_remaining(30) == 0
    assert window.acquire(86_401) is LimitVerdict.OK  # the next day


async def test_start_serves_records_calls_and_closes() -> None:
    state = HubSpotState(tokens={HS_TOKEN})
    emulator = await start(create_app(state))
    try:
        assert emulator.url.startswith("http://127.0.0.1:")
        assert emulator.state is state
        async with aiohttp.ClientSession() as session:
            url = f"{emulator.url}/crm/v4/associations/contacts/companies/labels"
            async with session.get(url) as denied:
                assert denied.status == 401
            async with session.get(url, headers=AUTH, params={"x": "1"}) as allowed:
                assert allowed.status == 200
    finally:
        await emulator.close()
    assert state.count() == 2  # the rejected call is recorded too
    assert state.count("GET", "/labels") == 2
    assert state.count("POST") == 0
    call = state.calls[-1]
    assert (call.method, call.query, call.body, call.raw_body) == ("GET", {"x": "1"}, None, b"")
    assert call.header("authorization") == f"Bearer {HS_TOKEN}"
    state.reset_calls()
    assert state.count() == 0


async def test_close_releases_a_held_reply() -> None:
    state = HubSpotState(tokens={HS_TOKEN})
    state.faults.inject(FaultKind.TIMEOUT, delay=60)
    emulator = await start(create_app(state))
    url = f"{emulator.url}/crm/v4/associations/contacts/companies/labels"

    async def call() -> int:
        async with aiohttp.ClientSession() as session, session.get(url, headers=AUTH) as reply:
            return reply.status

    held = asyncio.Event()
    hold = state.hold

    async def hold_and_tell(delay: float) -> None:
        held.set()
        await hold(delay)

    state.hold = hold_and_tell  # type: ignore[method-assign]
    pending = asyncio.ensure_future(call())
    await asyncio.wait_for(held.wait(), timeout=5)
    await asyncio.wait_for(emulator.close(), timeout=5)
    outcome = await asyncio.gather(pending, return_exceptions=True)
    assert outcome[0] == 504 or isinstance(outcome[0], aiohttp.ClientError)
