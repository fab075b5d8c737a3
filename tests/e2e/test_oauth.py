"""OAuth tokens that refresh themselves: before expiry, once after a 401, one refresh per
integration however many calls need it, rotating refresh tokens never sent twice, and a
refused refresh token remembered as REAUTHORIZATION_REQUIRED without a retry storm."""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import pytest

from emulators import salesforce
from emulators import sandbox_data as demo
from emulators.faults import FaultKind, FaultRule
from tests.e2e.test_hubspot import DEFAULT
from tests.e2e.test_leadconnector import RELATE, relation
from tests.e2e.test_salesforce import ASSOCIATE
from tests.harness import TOKENS, Api, make_settings, serve

CLIENT = {"clientId": "emulated-client-id", "clientSecret": "emulated-client-secret"}
INTEGRATION = """query($id: ID!) { crmIntegration(id: $id) { authStatus instanceUrl } }"""
UPDATE = """mutation($id: ID!, $credentials: CrmCredentialsInput!) {
  updateCrmIntegration(id: $id, input: { credentials: $credentials }) { authStatus } }"""


def expires_in(seconds: float) -> str:
    return (datetime.now(UTC) + timedelta(seconds=seconds)).isoformat()


@pytest.fixture
async def sf_oauth(tmp_path: Any, hubspot: Any, ghl: Any, sf: Any) -> Any:
    """crmgraph with every provider's token endpoint pointed at its emulator."""
    settings = make_settings(
        str(tmp_path / "oauth.db"),
        hubspot_base_url=hubspot.url,
        leadconnector_base_url=ghl.url,
        hubspot_token_url=hubspot.url + "/oauth/v1/token",
        leadconnector_token_url=ghl.url + "/oauth/token",
        salesforce_login_url=sf.url,
    )
    client = await serve(settings)
    yield Api(client), settings
    await client.close()


@pytest.fixture
def api(sf_oauth: Any) -> Api:
    return sf_oauth[0]


async def connect(
    api: Api, provider: str, emulator: Any, *, expires: str | None = None, **extra: Any
) -> str:
    """An integration holding the emulator's test token and a refresh token it accepts."""
    refresh = emulator.state.oauth.new_refresh_token()
    credentials = {"accessToken": TOKENS[provider], "refreshToken": refresh, **CLIENT}
    if expires is not None:
        credentials["expiresAt"] = expires
    data = await api.data(
        """mutation($input: CreateCrmIntegrationInput!) {
             createCrmIntegration(input: $input) { id authStatus } }""",
        {
            "input": {
                "provider": provider,
                "name": f"{provider.lower()} oauth",
                "credentials": credentials,
                **extra,
            }
        },
    )
    assert data["createCrmIntegration"]["authStatus"] == "OK"
    return str(data["createCrmIntegration"]["id"])


def default_pair(integration: str, n: int = 1) -> dict[str, str]:
    return {"id": integration, "from": str(n), "to": str(1000 + n)}


def token_calls(emulator: Any) -> list[Any]:
    return [c for c in emulator.state.calls if "/oauth" in c.path]


async def test_a_token_about_to_expire_is_refreshed_before_the_call(api, hubspot):
    integration = await connect(api, "HUBSPOT", hubspot, expires=expires_in(60))

    await api.data(DEFAULT, default_pair(integration))

    # HubSpot's documented refresh: a form post, then the call with the new token.
    [refresh] = token_calls(hubspot)
    assert refresh.header("Content-Type") == "application/x-www-form-urlencoded"
    form = {k: v[0] for k, v in parse_qs(refresh.raw_body.decode()).items()}
    assert form["grant_type"] == "refresh_token"
    assert form["client_id"] == CLIENT["clientId"]
    assert hubspot.state.oauth.refreshes == 1
    put = hubspot.state.calls[-1]
    assert put.method == "PUT"
    assert put.header("Authorization") != f"Bearer {TOKENS['HUBSPOT']}"
    assert hubspot.state.accepts(put.header("Authorization").split()[1])
    # The new token (30 minutes) is stored: the next call needs no refresh.
    await api.data(DEFAULT, default_pair(integration, 2))
    assert hubspot.state.oauth.refreshes == 1
    assert hubspot.state.count("PUT") == 2


async def test_a_401_refreshes_once_and_the_call_goes_on(api, ghl):
    integration = await connect(api, "LEADCONNECTOR", ghl, locationId=demo.GHL_LOCATION_ID)
    ghl.state.tokens.discard(TOKENS["LEADCONNECTOR"])  # the session ended on HighLevel's side

    data = await api.data(RELATE, {"id": integration, "input": relation()})

    assert data["createRelation"]["id"]
    assert ghl.state.oauth.refreshes == 1
    [refresh] = token_calls(ghl)
    assert parse_qs(refresh.raw_body.decode())["user_type"] == ["Location"]
    # Refused with the old token (nothing made), then made once with the new one.
    assert ghl.state.count("POST", "/associations/relations") == 2
    location = ghl.state.locations[demo.GHL_LOCATION_ID]
    made = [r for r in location.relations.values() if r["firstRecordId"] == "demo-child-2"]
    assert len(made) == 1


async def test_a_401_after_a_refresh_is_unauthenticated_without_another_refresh(api, hubspot):
    integration = await connect(api, "HUBSPOT", hubspot)
    hubspot.state.tokens.clear()
    hubspot.state.oauth.lifetime_seconds = 0  # every token it issues is expired at once

    error = await api.error(DEFAULT, default_pair(integration))

    assert error["extensions"]["code"] == "UNAUTHENTICATED"
    assert hubspot.state.oauth.refreshes == 1  # once, not a loop
    assert hubspot.state.count("PUT") == 2


async def test_concurrent_calls_share_one_refresh(api, hubspot):
    hubspot.state.oauth.rotate = True  # a second refresh with the same token would be refused
    integration = await connect(api, "HUBSPOT", hubspot)
    hubspot.state.tokens.clear()  # every one of the 20 calls is refused with the old token

    answers = await asyncio.gather(
        *(api.post(DEFAULT, default_pair(integration, n)) for n in range(1, 21))
    )

    assert [a for a in answers if "errors" in a] == []
    assert hubspot.state.oauth.refreshes == 1
    assert hubspot.state.oauth.refused == []
    assert len(token_calls(hubspot)) == 1


async def test_rotated_refresh_tokens_are_never_used_twice(api, ghl):
    # Tokens that live 60 s are due at once (the refresh margin is 300 s): every call refreshes.
    ghl.state.oauth.lifetime_seconds = 60
    integration = await connect(
        api, "LEADCONNECTOR", ghl, expires=expires_in(0), locationId=demo.GHL_LOCATION_ID
    )
    first = next(iter(ghl.state.oauth.refresh_tokens))

    for second in demo.GHL_CONTACT_IDS:
        await api.data(RELATE, {"id": integration, "input": relation("demo-child-2", second)})

    presented = ghl.state.oauth.presented
    assert len(presented) == 2
    assert presented[0] == first
    assert len(set(presented)) == 2  # the second refresh used the token the first one issued
    assert ghl.state.oauth.refused == []
    assert presented[1] in ghl.state.oauth.spent


async def test_a_transient_token_endpoint_failure_keeps_the_valid_token(api, hubspot):
    hubspot.state.faults.rules.append(
        FaultRule(FaultKind.SERVER_ERROR, path="/oauth/v1/token", status=503)
    )
    integration = await connect(api, "HUBSPOT", hubspot, expires=expires_in(60))

    await api.data(DEFAULT, default_pair(integration))

    assert hubspot.state.oauth.refreshes == 0
    assert hubspot.state.calls[-1].header("Authorization") == f"Bearer {TOKENS['HUBSPOT']}"
    status = await api.data(INTEGRATION, {"id": integration})
    assert status["crmIntegration"]["authStatus"] == "OK"


async def test_a_salesforce_refresh_stores_the_new_instance_url(api, sf):
    sf.state.oauth.rotate = True
    moved = await salesforce.serve(sf.state)  # the same org, answering at another address
    try:
        sf.state.instance_url = moved.url
        integration = await connect(api, "SALESFORCE", sf, instanceUrl=sf.url)
        sf.state.tokens.discard(TOKENS["SALESFORCE"])
        variables = {
            "id": integration,
            "input": {
                "entityId": demo.SF_ACCOUNT_IDS[1],
                "entity": "ACCOUNTS",
                "associations": {"contacts": [{"id": demo.SF_CONTACT_IDS[1]}]},
            },
        }
        result = (await api.data(ASSOCIATE, variables))["createAssociation"]
        assert result["errors"] == []
        stored = await api.data(INTEGRATION, {"id": integration})
        assert stored["crmIntegration"]["instanceUrl"] == moved.url
        await api.data(ASSOCIATE, variables)
    finally:
        await moved.close()
    hosts = [c.header("Host") for c in sf.state.calls if c.method == "PATCH"]
    new_host = moved.url.removeprefix("http://")
    assert hosts[0] != new_host  # refused with the old session at the old address
    assert hosts[1:] == [new_host, new_host]
    assert sf.state.oauth.refreshes == 1


@pytest.mark.parametrize("provider", ["HUBSPOT", "LEADCONNECTOR", "SALESFORCE"])
async def test_a_refused_refresh_token_requires_reauthorization(api, hubspot, ghl, sf, provider):
    emulator = {"HUBSPOT": hubspot, "LEADCONNECTOR": ghl, "SALESFORCE": sf}[provider]
    extra = {"instanceUrl": sf.url} if provider == "SALESFORCE" else {}
    if provider == "LEADCONNECTOR":
        extra = {"locationId": demo.GHL_LOCATION_ID}
    integration = await connect(api, provider, emulator, expires=expires_in(-60), **extra)
    emulator.state.oauth.revoke_all()  # the user disconnected the app
    call = {
        "HUBSPOT": (DEFAULT, default_pair(integration)),
        "LEADCONNECTOR": (RELATE, {"id": integration, "input": relation()}),
        "SALESFORCE": (
            ASSOCIATE,
            {
                "id": integration,
                "input": {
                    "entityId": demo.SF_ACCOUNT_IDS[1],
                    "entity": "ACCOUNTS",
                    "associations": {"contacts": [{"id": demo.SF_CONTACT_IDS[1]}]},
                },
            },
        ),
    }[provider]

    error = await api.error(*call)

    assert error["extensions"]["code"] == "REAUTHORIZATION_REQUIRED"
    assert error["extensions"]["provider"] in (provider.lower(), provider)
    assert len(emulator.state.calls) == 1  # the refused refresh, and no call with a dead token
    status = await api.data(INTEGRATION, {"id": integration})
    assert status["crmIntegration"]["authStatus"] == "REAUTHORIZATION_REQUIRED"

    # No retry storm: later calls are answered at once, reaching no one.
    for _ in range(3):
        again = await api.error(*call)
        assert again["extensions"]["code"] == "REAUTHORIZATION_REQUIRED"
    assert len(emulator.state.calls) == 1

    # New credentials (a new sign-in) clear the mark, and calls go through again.
    fresh = {
        "accessToken": TOKENS[provider],
        "refreshToken": emulator.state.oauth.new_refresh_token(),
        **CLIENT,
    }
    updated = await api.data(UPDATE, {"id": integration, "credentials": fresh})
    assert updated["updateCrmIntegration"]["authStatus"] == "OK"
    await api.data(*call)


async def test_secrets_are_never_returned_logged_or_stored_in_clear(sf_oauth, hubspot, caplog):
    api, settings = sf_oauth
    caplog.set_level(logging.DEBUG)
    hubspot.state.oauth.rotate = True
    integration = await connect(api, "HUBSPOT", hubspot, expires=expires_in(60))
    answers = [await api.post(DEFAULT, default_pair(integration))]
    hubspot.state.oauth.revoke_all()
    hubspot.state.tokens.clear()
    answers.append(await api.post(DEFAULT, default_pair(integration, 2)))
    answers.append(await api.post(INTEGRATION, {"id": integration}))
    assert answers[1]["errors"][0]["extensions"]["code"] == "REAUTHORIZATION_REQUIRED"

    secrets = {
        TOKENS["HUBSPOT"],
        CLIENT["clientSecret"],
        *hubspot.state.oauth.spent,  # every refresh token, the first and the rotated ones
        *(t for t in hubspot.state.token_expiry),  # every access token it issued
    }
    assert len(secrets) == 5
    shown = repr(answers) + caplog.text
    database = Path(settings.database_url.removeprefix("sqlite+aiosqlite:///"))
    stored = await asyncio.to_thread(database.read_bytes)
    for secret in secrets:
        assert secret not in shown
        assert secret.encode() not in stored


@pytest.mark.parametrize("shared_lock", ["redis", "postgresql"])
async def test_two_replicas_refresh_a_rotating_token_once(
    tmp_path, hubspot, postgres_url, redis_url, shared_lock
):
    """Two crmgraph processes on one PostgreSQL (and Redis, or only PostgreSQL's advisory
    lock): 20 calls refused with an expired token, spread over both, make one refresh, and
    the rotating refresh token is never presented twice."""
    hubspot.state.oauth.rotate = True
    settings = make_settings(
        str(tmp_path / "unused.db"),
        database_url=postgres_url,
        redis_url=redis_url if shared_lock == "redis" else None,
        hubspot_base_url=hubspot.url,
        hubspot_token_url=hubspot.url + "/oauth/v1/token",
    )
    replicas = [await serve(settings), await serve(settings)]
    try:
        first, second = (Api(r) for r in replicas)
        integration = await connect(first, "HUBSPOT", hubspot)
        hubspot.state.tokens.clear()  # the session ended: every call is refused once

        answers = await asyncio.gather(
            *(
                (first if n % 2 else second).post(DEFAULT, default_pair(integration, n))
                for n in range(1, 21)
            )
        )
    finally:
        for replica in replicas:
            await replica.close()

    assert [a for a in answers if "errors" in a] == []
    assert hubspot.state.oauth.refreshes == 1
    assert hubspot.state.oauth.refused == []
    assert len(hubspot.state.oauth.presented) == 1
