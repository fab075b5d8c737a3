"""Each provider's token answer read into a grant or the right error; the refresh lock."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import Any

import pytest

from providers.base import ClientSettings
from providers.domain import Connection, Credentials, CrmProvider
from providers.errors import (
    InvalidRequest,
    RateLimited,
    ReauthorizationRequired,
    Unavailable,
    WireFormatError,
)
from providers.oauth.lock import MemoryRefreshLock
from providers.oauth.refresh import TokenRefresher
from providers.registry import TOKEN_ENDPOINTS

SETTINGS = ClientSettings(salesforce_login_url="https://test.salesforce.com/")
HS, GHL, SF = (
    TOKEN_ENDPOINTS[p]
    for p in (CrmProvider.HUBSPOT, CrmProvider.LEADCONNECTOR, CrmProvider.SALESFORCE)
)
CREDS = Credentials("at", "rt", "cid", "secret")


def test_the_token_requests_are_each_providers_form():
    hubspot = HS.request(SETTINGS, Connection("i", CrmProvider.HUBSPOT, CREDS))
    assert hubspot.url == "https://api.hubapi.com/oauth/v1/token"
    assert dict(hubspot.form) == {
        "grant_type": "refresh_token",
        "client_id": "cid",
        "client_secret": "secret",
        "refresh_token": "rt",
    }
    located = Connection("i", CrmProvider.LEADCONNECTOR, CREDS, location_id="loc")
    assert GHL.request(SETTINGS, located).form["user_type"] == "Location"
    agency = Connection("i", CrmProvider.LEADCONNECTOR, CREDS)
    assert GHL.request(SETTINGS, agency).form["user_type"] == "Company"
    sf = SF.request(SETTINGS, Connection("i", CrmProvider.SALESFORCE, CREDS))
    assert sf.url == "https://test.salesforce.com/services/oauth2/token"
    assert "secret" not in repr(hubspot)  # the form never reaches a log line through repr


@pytest.mark.parametrize(
    ("endpoint", "status", "body", "expected"),
    [
        (
            HS,
            400,
            {"status": "BAD_REFRESH_TOKEN", "message": "missing or unknown"},
            ReauthorizationRequired,
        ),
        (GHL, 401, {"statusCode": 401, "message": "Invalid client"}, ReauthorizationRequired),
        (
            SF,
            400,
            {"error": "invalid_grant", "error_description": "expired"},
            ReauthorizationRequired,
        ),
        (SF, 400, {"error": "unsupported_grant_type"}, WireFormatError),
        (HS, 429, {"message": "slow down"}, RateLimited),
        (GHL, 503, None, Unavailable),
        (HS, 200, {"token_type": "bearer"}, WireFormatError),  # no access_token
    ],
)
def test_refusals_map_to_the_error_tree(endpoint, status, body, expected):
    with pytest.raises(expected) as raised:
        endpoint.grant(SETTINGS, status, {}, body)
    assert raised.value.body is None  # a token endpoint's answer is never kept


def test_grants_keep_what_each_provider_sends():
    hubspot = HS.grant(
        SETTINGS, 200, {}, {"access_token": "a", "refresh_token": "r", "expires_in": 1800}
    )
    assert (hubspot.access_token, hubspot.refresh_token, hubspot.expires_in) == ("a", "r", 1800)
    sf = SF.grant(
        SETTINGS, 200, {}, {"access_token": "a", "instance_url": "https://eu5.my.salesforce.com"}
    )
    assert (sf.refresh_token, sf.expires_in, sf.instance_url) == (
        None,
        None,
        "https://eu5.my.salesforce.com",
    )
    # A token answer cannot send the org's calls to an arbitrary host.
    with pytest.raises(InvalidRequest):
        SF.grant(SETTINGS, 200, {}, {"access_token": "a", "instance_url": "http://169.254.169.254"})


async def test_the_memory_lock_is_single_flight_per_integration():
    lock = MemoryRefreshLock()
    inside: list[str] = []
    most = 0

    async def hold(integration: str) -> None:
        nonlocal most
        async with lock.hold(integration):
            inside.append(integration)
            most = max(most, inside.count("a"))
            await asyncio.sleep(0)
            inside.remove(integration)

    await asyncio.gather(*(hold("a") for _ in range(10)), hold("b"))
    assert most == 1
    assert lock._locks == {}  # nothing kept once no one holds or waits


class _BusyLock:
    """A shared lock that is never free in time (another replica stuck refreshing)."""

    @contextlib.asynccontextmanager
    async def hold(self, integration_id: str) -> AsyncIterator[None]:
        raise TimeoutError(integration_id)
        yield


async def test_a_refresh_lock_not_free_in_time_is_unavailable_not_a_crash():
    refresher = TokenRefresher(_NoStore(), TOKEN_ENDPOINTS, _BusyLock())

    async def obtain(connection: Connection) -> Any:
        raise AssertionError("no token request without the lock")

    with pytest.raises(Unavailable):
        await refresher.refresh(Connection("i", CrmProvider.HUBSPOT, CREDS), obtain)


class _NoStore:
    async def current(self, integration_id: str) -> Any:
        raise AssertionError("not read without the lock")

    async def replace(self, *args: Any) -> bool:
        raise AssertionError

    async def refused(self, *args: Any) -> None:
        raise AssertionError
