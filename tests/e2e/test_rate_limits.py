"""Rate limits end to end: real clients, real HTTP, the emulators enforcing the providers' limits.

A sustained load at a provider's limit must complete with no failed item and without the
provider refusing a single call. The emulators count every call they receive
(``state.calls``) and, in their rate windows, every call they accepted (``daily_used``): the
difference is the number of 429s. Windows are small and real (10 calls per 200 ms, on the
emulators' default ``time.monotonic`` clock, the limiter's too); assertions are about counts,
never durations.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from dataclasses import replace
from typing import Any

import aiohttp
import pytest

from emulators import leadconnector, salesforce
from emulators import sandbox_data as demo
from emulators.common import RunningEmulator
from emulators.hubspot import HubSpotState
from emulators.hubspot import serve as serve_hubspot
from providers.base import ClientSettings, HttpTransport
from providers.domain import Connection, Credentials, CrmProvider, TypedPair
from providers.errors import RateLimited
from providers.hubspot.client import HubSpotClient
from providers.leadconnector.client import LeadConnectorClient
from providers.ratelimit import DEFAULT_LIMITS, ProviderLimits, RateLimiter, limit_key
from providers.salesforce.client import SalesforceClient

TOKEN = "rate-limit-token"
BURST, INTERVAL_MS = 10, 200
CALLS = 50
# Exactly the emulator's limit, without the default margin: the limiter counts a call until its
# reply is back, so however late the emulator receives it, its window cannot overflow.
AT_THE_LIMIT = ProviderLimits(burst=BURST, interval_seconds=INTERVAL_MS / 1000, margin_seconds=0)


def connection(provider: CrmProvider, instance_url: str | None = None) -> Connection:
    return Connection("int-1", provider, Credentials(TOKEN), instance_url=instance_url)


def refused(state: Any, accepted: int) -> int:
    """Calls the emulator received but did not accept: its 429s (or 403s)."""
    return len(state.calls) - accepted


@pytest.fixture
async def session() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


@pytest.fixture
async def hubspot() -> AsyncIterator[RunningEmulator[HubSpotState]]:
    state = HubSpotState(
        tokens={TOKEN},
        rate_limit_enabled=True,
        burst_limit=BURST,
        interval_ms=INTERVAL_MS,
        clock=time.monotonic,
    )
    state.add_records("contacts", *(str(i) for i in range(CALLS)))
    state.add_records("companies", *(str(1000 + i) for i in range(CALLS)))
    running = await serve_hubspot(state)
    yield running
    await running.close()


async def associate_all(client: HubSpotClient, calls: int = CALLS) -> list[Any]:
    """``calls`` default associations at once (50: five times the emulator's burst)."""
    return await asyncio.gather(
        *(
            client.create_default("contacts", str(i), "companies", str(1000 + i))
            for i in range(calls)
        ),
        return_exceptions=True,
    )


async def test_a_sustained_hubspot_load_at_the_limit_completes_without_a_429(hubspot, session):
    limiter = RateLimiter({"hubspot": AT_THE_LIMIT})
    hubspot_connection = connection(CrmProvider.HUBSPOT)
    settings = ClientSettings(hubspot_base_url=hubspot.url)
    client = HubSpotClient(HttpTransport(session, settings, limiter), hubspot_connection)

    outcomes = await associate_all(client)

    assert [type(o).__name__ for o in outcomes if isinstance(o, BaseException)] == []
    assert all(batch.num_errors == 0 for batch in outcomes)
    state = hubspot.state
    assert len(state.calls) == CALLS  # not one retry
    assert refused(state, state.window.daily_used) == 0
    assert state.associated("contacts", str(CALLS - 1), "companies") == {
        str(1000 + CALLS - 1): [279]
    }


async def test_the_limiter_learns_the_accounts_limits_from_the_first_reply(hubspot, session):
    # HubSpot's defaults (100 / 10 s) are far above this account's 10 / 200 ms: one reply's
    # X-HubSpot-RateLimit-* headers bring the budget down before the load starts.
    limiter = RateLimiter({"hubspot": replace(DEFAULT_LIMITS["hubspot"], margin_seconds=0)})
    hubspot_connection = connection(CrmProvider.HUBSPOT)
    settings = ClientSettings(hubspot_base_url=hubspot.url)
    client = HubSpotClient(HttpTransport(session, settings, limiter), hubspot_connection)
    await client.labels("contacts", "companies")
    budget = limiter.budget(limit_key(hubspot_connection))
    assert (budget.burst, budget.interval_seconds, budget.daily) == (BURST, 0.2, 625_000)

    outcomes = await associate_all(client, 30)

    assert [o for o in outcomes if isinstance(o, BaseException)] == []
    assert len(hubspot.state.calls) == 1 + 30
    assert refused(hubspot.state, hubspot.state.window.daily_used) == 0


async def test_without_the_limiter_the_same_load_is_refused(hubspot, session):
    # The control: the load above really is beyond the emulator's limit.
    settings = ClientSettings(hubspot_base_url=hubspot.url, retry_attempts=1)
    unlimited = RateLimiter({"hubspot": ProviderLimits()})  # no burst limit configured
    client = HubSpotClient(
        HttpTransport(session, settings, unlimited), connection(CrmProvider.HUBSPOT)
    )

    outcomes = await associate_all(client)

    assert any(isinstance(o, RateLimited) for o in outcomes)
    assert refused(hubspot.state, hubspot.state.window.daily_used) > 0


@pytest.mark.parametrize("version", ["2026-09", "legacy"])
async def test_batch_endpoints_exempt_from_the_ten_second_limit_take_no_slot(
    hubspot, session, version
):
    """A budget of 1 call per 10 s: 20 batch creates go through, and the single-record PUTs
    (not exempt) still get one call, the next refused locally; the daily quota counts all."""
    limiter = RateLimiter({"hubspot": ProviderLimits(burst=1, interval_seconds=10.0)})
    hubspot.state.interval_ms = 10_000
    hubspot.state.burst_limit = 1
    settings = ClientSettings(
        hubspot_base_url=hubspot.url, hubspot_api_version=version, request_deadline_seconds=0.5
    )
    hubspot_connection = connection(CrmProvider.HUBSPOT)
    client = HubSpotClient(HttpTransport(session, settings, limiter), hubspot_connection)

    batches = await asyncio.gather(
        *(
            client.create_batch(
                "contacts", "companies", [TypedPair(str(i), str(1000 + i), "contact_to_company")]
            )
            for i in range(20)
        )
    )
    single = await associate_all(client, 2)

    assert all(b.num_errors == 0 and len(b.results) == 1 for b in batches)
    assert [type(o).__name__ for o in single] == ["Batch", "RateLimited"]
    assert len(hubspot.state.calls) == 21  # the refused PUT was never sent
    assert refused(hubspot.state, hubspot.state.window.daily_used) == 0
    assert limiter.budget(limit_key(hubspot_connection)).day.total(time.monotonic()) == 21


async def test_highlevel_budgets_are_per_location(session):
    state = leadconnector.LeadConnectorState(
        tokens={TOKEN}, burst_limit=BURST, interval_ms=INTERVAL_MS, clock=time.monotonic
    )
    locations = ("loc-a", "loc-b")
    for location in locations:
        state.add_location(location)
    async with await leadconnector.serve(state) as ghl:
        limiter = RateLimiter({"leadconnector": AT_THE_LIMIT})
        ghl_connection = connection(CrmProvider.LEADCONNECTOR)
        settings = ClientSettings(leadconnector_base_url=ghl.url)
        client = LeadConnectorClient(HttpTransport(session, settings, limiter), ghl_connection)

        # Each location gets its own 10 per 200 ms: 2 x 25 calls, neither waits on the other.
        outcomes = await asyncio.gather(
            *(client.association_definitions(loc) for loc in locations for _ in range(25)),
            return_exceptions=True,
        )

    assert [o for o in outcomes if isinstance(o, BaseException)] == []
    accepted = sum(state.window(loc).daily_used for loc in locations)
    assert accepted == 50
    assert refused(state, accepted) == 0


async def test_salesforce_is_refused_locally_once_the_daily_allocation_is_spent(session):
    state = demo.seed_salesforce(salesforce.SalesforceState(tokens={TOKEN}, daily_limit=5))
    async with await salesforce.serve(state) as sf:
        limiter = RateLimiter()
        sf_connection = connection(CrmProvider.SALESFORCE, instance_url=sf.url)
        settings = ClientSettings(allow_insecure_upstreams=True)
        client = SalesforceClient(HttpTransport(session, settings, limiter), sf_connection)
        for _ in range(5):
            await client.query("SELECT Id FROM Account")

        # The fifth reply said api-usage=5/5: the sixth call is not sent at all.
        with pytest.raises(RateLimited) as refusal:
            await client.query("SELECT Id FROM Account")

    assert (refusal.value.scope, refusal.value.status) == ("daily", None)
    assert state.count() == 5


async def test_an_integrations_own_limits_hold_through_the_graphql_api(tmp_path, hubspot):
    """Configured per integration (say, a HubSpot account on 10 calls per 200 ms), 30 requests
    sent at once all succeed, and HubSpot refuses none of them."""
    from tests.harness import Api, make_settings, serve

    # Coalescing off: 30 calls must reach HubSpot here, not one shared batch.
    settings = make_settings(
        str(tmp_path / "db.sqlite"), hubspot_base_url=hubspot.url, coalesce_window_ms=0
    )
    client = await serve(settings)
    try:
        api = Api(client)
        created = await api.data(
            """mutation($input: CreateCrmIntegrationInput!) {
                 createCrmIntegration(input: $input) { id rateLimits { requestsPerInterval } } }""",
            {
                "input": {
                    "provider": "HUBSPOT",
                    "name": "small account",
                    "credentials": {"accessToken": TOKEN},
                    "rateLimits": {
                        "requestsPerInterval": BURST,
                        "intervalSeconds": INTERVAL_MS / 1000,
                    },
                }
            },
        )
        integration = created["createCrmIntegration"]["id"]
        assert created["createCrmIntegration"]["rateLimits"] == {"requestsPerInterval": BURST}
        answers = await asyncio.gather(
            *(
                api.post(
                    """mutation($id: ID!, $from: ID!, $to: ID!) { createDefaultAssociation(
                     integrationId: $id, fromObjectType: "contacts", fromObjectId: $from,
                     toObjectType: "companies", toObjectId: $to) { numErrors } }""",
                    {"id": integration, "from": str(i), "to": str(1000 + i)},
                )
                for i in range(30)
            )
        )
    finally:
        await client.close()
    assert all("errors" not in a for a in answers), [a for a in answers if "errors" in a][:1]
    assert len(hubspot.state.calls) == 30  # not one refused and retried
    assert refused(hubspot.state, hubspot.state.window.daily_used) == 0
