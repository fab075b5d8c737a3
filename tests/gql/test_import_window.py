"""An import's window comes from the CRM's own batch create: a whole number of calls at the
provider's per-call maximum for this connection, one for each call in flight, within bounds.
And whether a window in flight is resent or read back is the provider's declared fact."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import aiohttp
import pytest

from gql.imports.creation import MAX_WINDOW, MIN_WINDOW, window_of
from providers import registry
from providers.base import ClientSettings, HttpTransport
from providers.batch_size import SizeKey
from providers.capabilities import BATCH_ASSOCIATIONS, CallLimits
from providers.domain import Connection, Credentials, CrmProvider
from providers.hubspot.paths import HubSpotPaths

HUBSPOT, SALESFORCE, HIGHLEVEL = (
    CrmProvider.HUBSPOT,
    CrmProvider.SALESFORCE,
    CrmProvider.LEADCONNECTOR,
)


def _limits(transport: HttpTransport, provider: CrmProvider) -> CallLimits:
    connection = Connection("int-1", provider, Credentials("t"))
    return registry.implementation(BATCH_ASSOCIATIONS, transport, connection).call_limits()


@pytest.mark.parametrize(
    ("provider", "settings", "per_call", "window"),
    [
        # 2026-09: HubSpot's documented 2,000 a call, 4 calls in flight.
        (HUBSPOT, {}, 2_000, 8_000),
        (HUBSPOT, {"hubspot_api_version": "legacy"}, 100, 400),  # the v3 create: 100
        (HUBSPOT, {"hubspot_v4_batch_limit": 500}, 500, 2_000),  # forced on 2026-09
        (HUBSPOT, {"hubspot_v3_batch_limit": 50}, 2_000, 8_000),  # v3 only: not this API's
        (HUBSPOT, {"hubspot_api_version": "legacy", "hubspot_v3_batch_limit": 50}, 50, 200),
        (HUBSPOT, {"batch_concurrency": 32}, 2_000, MAX_WINDOW),  # 5 calls, not 32
        # sObject Collections: 200 records a call, sent one after another.
        (SALESFORCE, {}, 200, 200),
        (SALESFORCE, {"batch_concurrency": 16}, 200, 200),
        # No bulk relations endpoint: one relation a call, 4 at once, 100 calls a window.
        (HIGHLEVEL, {}, 1, MIN_WINDOW),
        (HIGHLEVEL, {"batch_concurrency": 32}, 1, MIN_WINDOW),
    ],
)
async def test_each_crm_windows_whole_calls_at_its_own_per_call_maximum(
    provider: CrmProvider, settings: dict[str, Any], per_call: int, window: int
) -> None:
    async with aiohttp.ClientSession() as session:
        transport = HttpTransport(session, replace(ClientSettings(), **settings))
        limits = _limits(transport, provider)
    assert limits.per_call == per_call
    assert window_of(limits) == window
    assert window % per_call == 0


async def test_a_size_learnt_from_a_refusal_narrows_the_window_until_it_is_forgotten() -> None:
    async with aiohttp.ClientSession() as session:
        transport = HttpTransport(session)
        template = HubSpotPaths().batch_create("contacts", "companies").template
        # HubSpot refused a batch of 2,000 from this integration (send_in_batches learns it).
        transport.batch_sizes.refused(SizeKey("hubspot", "int-1", template), 2_000, 2_000)
        assert _limits(transport, HUBSPOT) == CallLimits(per_call=1_000, in_flight=4)
        assert window_of(_limits(transport, HUBSPOT)) == 4_000
        other = Connection("int-2", HUBSPOT, Credentials("t"))
        calls = registry.implementation(BATCH_ASSOCIATIONS, transport, other).call_limits()
        assert calls.per_call == 2_000  # another integration's account: its own limit


@pytest.mark.parametrize(
    ("limits", "window"),
    [
        (CallLimits(per_call=2_000, in_flight=4), 8_000),
        (CallLimits(per_call=3_000, in_flight=8), 9_000),  # whole calls under the bound
        (CallLimits(per_call=20_000, in_flight=4), 20_000),  # one call, even over the bound
        (CallLimits(per_call=30, in_flight=1), 120),  # whole calls over the floor
        (CallLimits(per_call=0, in_flight=0), MIN_WINDOW),  # never an empty window
    ],
)
def test_the_window_bounds_keep_whole_calls(limits: CallLimits, window: int) -> None:
    assert window_of(limits) == window


def test_only_hubspot_declares_a_repeatable_batch_create() -> None:
    # HubSpot makes no second association for a pair it has; a Salesforce contact role can be
    # inserted twice, and HighLevel refuses a second relation (known only by its message).
    assert {p for p in CrmProvider if registry.repeatable_batch_create(p)} == {HUBSPOT}
