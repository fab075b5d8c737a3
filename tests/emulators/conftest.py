"""Fixtures for the emulator tests: each emulator behind aiohttp's test client."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from emulators import hubspot, leadconnector, salesforce

HS_TOKEN = "hs-test-token"
SF_TOKEN = "sf-test-token"
GHL_TOKEN = "ghl-test-token"
GHL_HEADERS = {"Authorization": f"Bearer {GHL_TOKEN}", "Version": "2021-07-28"}


@dataclass
class FakeClock:
    """Injected as `state.clock` so rate-limit windows move only when a test says so."""

    now: float = 1_000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def hs_state(clock: FakeClock) -> hubspot.HubSpotState:
    state = hubspot.HubSpotState(tokens={HS_TOKEN}, clock=clock)
    state.add_records("contacts", "101", "102", "103")
    state.add_records("companies", "201", "202")
    state.add_records("deals", "301")
    return state


@pytest.fixture
async def hs(aiohttp_client: Any, hs_state: hubspot.HubSpotState) -> TestClient[Any, Any]:
    client: TestClient[Any, Any] = await aiohttp_client(
        hubspot.create_app(hs_state), headers={"Authorization": f"Bearer {HS_TOKEN}"}
    )
    return client


@pytest.fixture
def sf_state(clock: FakeClock) -> salesforce.SalesforceState:
    state = salesforce.SalesforceState(tokens={SF_TOKEN}, clock=clock)
    state.add_record("Account", "001000000000001AAA", Name="Acme")
    state.add_record("Account", "001000000000002AAA", Name="Globex")
    state.add_record("Contact", "003000000000001AAA", LastName="Lovelace", AccountId=None)
    state.add_record("Contact", "003000000000002AAA", LastName="Hopper", AccountId=None)
    state.add_record("Opportunity", "006000000000001AAA", Name="Deal", AccountId=None)
    return state


@pytest.fixture
async def sf(aiohttp_client: Any, sf_state: salesforce.SalesforceState) -> TestClient[Any, Any]:
    client: TestClient[Any, Any] = await aiohttp_client(
        salesforce.create_app(sf_state), headers={"Authorization": f"Bearer {SF_TOKEN}"}
    )
    return client


@pytest.fixture
def ghl_state(clock: FakeClock) -> leadconnector.LeadConnectorState:
    state = leadconnector.LeadConnectorState(tokens={GHL_TOKEN}, clock=clock)
    state.add_record("loc1", "c1", "contact")
    state.add_record("loc1", "c2", "contact")
    state.add_record("loc1", "k1", "custom_objects.children")
    state.add_record("loc1", "k2", "custom_objects.children")
    state.add_association(
        "loc1", "assoc1", "student", "custom_objects.children", "Student", "contact", "Teacher"
    )
    return state


@pytest.fixture
async def ghl(
    aiohttp_client: Any, ghl_state: leadconnector.LeadConnectorState
) -> TestClient[Any, Any]:
    client: TestClient[Any, Any] = await aiohttp_client(
        leadconnector.create_app(ghl_state), headers=GHL_HEADERS
    )
    return client
