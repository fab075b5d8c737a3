"""The production topology, end to end: one replica killed mid-load loses and doubles nothing.

    client --> @apollo/gateway --(round robin)--> crmgraph serve  x2 --> HubSpot emulator
                                                      |        |
                                               PostgreSQL    Redis

Real parts only: PostgreSQL and Redis from the test services, two ``crmgraph serve``
processes sharing them, Apollo's gateway (``tests/federation/gateway.mjs``) in front, and the
HubSpot emulator, which holds the association state, records when each call arrived,
enforces its own rolling limit (10 calls per second here) and issues access tokens that live
4 s with rotating refresh tokens. The client first sends 4 requests
twice at once (the gateway gives the twins to both replicas), then 40 keyed
``batchCreateAssociations`` through the gateway, 8 at a time, retrying a failed request with
the same ``idempotencyKey``; a quarter of the way in one replica gets SIGKILL.

Checked: the twins get one answer from one upstream call; every input confirmed and stored
(nothing lost); no input sent upstream more than
twice, and twice only for requests the crash interrupted (their claim was taken over after
its lease), and repeating every request afterwards makes no upstream call (nothing written
twice); the emulator refused no call (batch creates are exempt from HubSpot's ten-second
window, so they count in the shared daily quota only); and one token refresh per expiry
across both replicas (each spent the refresh token the one before issued; none refused).
"""

from __future__ import annotations

import asyncio
import collections
import json
import os
import signal
import sys
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import aiohttp
import asyncpg
import pytest
from sqlalchemy.engine import make_url

from emulators.common import LimitVerdict, RateWindow
from emulators.hubspot import HubSpotState, burst_exempt
from emulators.hubspot import serve as serve_hubspot
from tests.federation.conftest import NodeProcess, NodeRunner
from tests.federation.conftest import node as node  # the fixture: Node scripts, stopped after
from tests.services import die_with_parent, free_port

KEY = "key-acme-0123456789"
TOKEN = "hs-topology-token"
BURST, INTERVAL_S = 10, 1.0  # the emulator's limit, and the integration's rateLimits
REQUESTS, INPUTS, CONCURRENCY = 40, 5, 8
RACES = 4  # requests sent twice at once first: the gateway hands the twins to both replicas
KILL_AFTER = REQUESTS // 4  # answered requests before one replica is killed
LEASE_SECONDS = 2  # a dead replica's idempotency claims are taken over after this
# Access tokens live 4 s and are refreshed when under 3.5 s are left: a refresh every ~0.5 s
# of load, each with a rotating refresh token (a second use of one is refused). Short, since
# batch creates do not wait on the ten-second window (they are exempt): the load is brief.
TOKEN_LIFETIME_S, REFRESH_MARGIN_S = 4, 3.5
DEADLINE_SECONDS = 30.0  # bounds every wait for a process or a request

BATCH = """mutation($id: ID!, $inputs: [AssociationInput!]!, $key: String) {
  batchCreateAssociations(integrationId: $id, fromObjectType: "contacts",
                          toObjectType: "companies", inputs: $inputs, idempotencyKey: $key) {
    status numErrors
    results { from { id } to { id } type }
    errors { message category items { from { id } to { id } } }
  }
}"""
CREATE = """mutation($input: CreateCrmIntegrationInput!) {
  createCrmIntegration(input: $input) { id } }"""

Pair = tuple[str, str]


def inputs(request: int) -> list[dict[str, Any]]:
    first = request * INPUTS + 1
    return [
        {"from": {"id": str(c)}, "to": {"id": str(1000 + c)}, "type": "contact_to_company"}
        for c in range(first, first + INPUTS)
    ]


def pairs_of(items: list[dict[str, Any]]) -> set[Pair]:
    return {(i["from"]["id"], i["to"]["id"]) for i in items}


@dataclass
class Replica:
    url: str
    proc: asyncio.subprocess.Process


async def start_replica(env: dict[str, str], log: Path) -> Replica:
    port = free_port()
    with log.open("ab") as out:
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "gql.cli", "serve", "--port", str(port),
            stdin=asyncio.subprocess.DEVNULL, stdout=out, stderr=out, env=env,
            preexec_fn=die_with_parent(signal.SIGKILL),
        )  # fmt: skip
    replica = Replica(f"http://127.0.0.1:{port}/graphql", proc)
    async with aiohttp.ClientSession() as session, asyncio.timeout(DEADLINE_SECONDS):
        while True:  # readiness: /healthz answers once migrations ran and the port is open
            if proc.returncode is not None:
                pytest.fail(f"replica exited {proc.returncode}: {_read(log)}")
            try:
                async with session.get(f"http://127.0.0.1:{port}/healthz") as response:
                    if response.status == 200:
                        return replica
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.1)


async def stop(proc: asyncio.subprocess.Process) -> None:
    if proc.returncode is None:
        proc.terminate()
        try:
            async with asyncio.timeout(10):
                await proc.wait()
        except TimeoutError:
            proc.kill()
            await proc.wait()


@dataclass
class Outcome:
    answer: dict[str, Any]
    attempts: int
    errors: list[str] = field(default_factory=list)


class Client:
    """A caller of the gateway that retries a failed request with the same key."""

    def __init__(self, session: aiohttp.ClientSession, url: str) -> None:
        self.session, self.url = session, url

    async def post(self, query: str, variables: dict[str, Any]) -> dict[str, Any]:
        async with self.session.post(
            self.url, json={"query": query, "variables": variables}
        ) as response:
            body: dict[str, Any] = await response.json(content_type=None)
            return body

    async def send(self, integration: str, request: int) -> Outcome:
        variables = {"id": integration, "inputs": inputs(request), "key": f"order-{request}"}
        seen: list[str] = []
        for attempt in range(1, 30):
            try:
                body = await self.post(BATCH, variables)
            except (aiohttp.ClientError, json.JSONDecodeError) as exc:
                seen.append(type(exc).__name__)
                continue
            if not body.get("errors"):
                return Outcome(body["data"]["batchCreateAssociations"], attempt, seen)
            seen.extend(str(e.get("extensions", {}).get("code")) for e in body["errors"])
            await asyncio.sleep(0.05 * attempt)  # the client's own backoff
        pytest.fail(f"request {request} never succeeded: {seen}")


async def test_two_replicas_behind_a_gateway_survive_a_crash(
    tmp_path: Path, postgres_url: str, redis_url: str, node: NodeRunner
) -> None:
    state = HubSpotState(tokens={TOKEN}, burst_limit=BURST, interval_ms=int(INTERVAL_S * 1000))
    state.oauth.rotate, state.oauth.lifetime_seconds = True, TOKEN_LIFETIME_S
    first_refresh_token = state.oauth.new_refresh_token()
    records = range(1, (REQUESTS + RACES) * INPUTS + 1)
    state.add_records("contacts", *(str(c) for c in records))
    state.add_records("companies", *(str(1000 + c) for c in records))
    hubspot = await serve_hubspot(state)
    env = {
        **os.environ,
        "CRMGRAPH_API_KEYS": f"acme:{KEY}",
        "CRMGRAPH_SECRET_KEY": "topology-test-secret",
        "CRMGRAPH_DATABASE_URL": postgres_url,
        "CRMGRAPH_REDIS_URL": redis_url,
        "CRMGRAPH_HUBSPOT_BASE_URL": hubspot.url,
        "CRMGRAPH_ALLOW_INSECURE_UPSTREAMS": "1",
        "CRMGRAPH_IDEMPOTENCY_LEASE_SECONDS": str(LEASE_SECONDS),
        "CRMGRAPH_RETRY_BACKOFF_SECONDS": "0.05",
        "CRMGRAPH_GRAPHIQL": "0",
        "CRMGRAPH_HUBSPOT_TOKEN_URL": f"{hubspot.url}/oauth/v1/token",
        "CRMGRAPH_TOKEN_REFRESH_MARGIN_SECONDS": str(REFRESH_MARGIN_S),
    }
    migrate = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "gql.cli", "migrate", env=env, stdout=asyncio.subprocess.PIPE
    )
    migrated, _ = await migrate.communicate()
    assert migrate.returncode == 0
    assert b"up to date" in migrated

    replicas: list[Replica] = []
    gateway: NodeProcess | None = None
    try:
        replicas = list(
            await asyncio.gather(
                *(start_replica(env, tmp_path / f"replica-{i}.log") for i in range(2))
            )
        )
        gateway = await node.start(
            "gateway.mjs",
            ",".join(r.url for r in replicas),
            env={"CRMGRAPH_AUTHORIZATION": f"Bearer {KEY}"},
        )
        ready = await gateway.read_json_line()
        timeout = aiohttp.ClientTimeout(total=DEADLINE_SECONDS)
        async with aiohttp.ClientSession(timeout=timeout) as session:
            client = Client(session, ready["gateway"])
            expires_at = datetime.now(UTC) + timedelta(seconds=TOKEN_LIFETIME_S)
            state.token_expiry[TOKEN] = state.clock() + TOKEN_LIFETIME_S
            created = await client.post(
                CREATE,
                {
                    "input": {
                        "provider": "HUBSPOT",
                        "name": "production",
                        "credentials": {
                            "accessToken": TOKEN,
                            "expiresAt": expires_at.isoformat(),
                            "refreshToken": first_refresh_token,
                            "clientId": state.oauth.client_id,
                            "clientSecret": state.oauth.client_secret,
                        },
                        "rateLimits": {"requestsPerInterval": BURST, "intervalSeconds": 1.0},
                    }
                },
            )
            assert "errors" not in created, created
            integration = created["data"]["createCrmIntegration"]["id"]

            # Twins with one key on two replicas at once: one claims, the other waits for it.
            raced = range(REQUESTS, REQUESTS + RACES)
            twins = await asyncio.gather(
                *(client.send(integration, r) for r in raced for _ in range(2))
            )

            answered = asyncio.Event()
            done = 0
            slots = asyncio.Semaphore(CONCURRENCY)

            async def one(request: int) -> Outcome:
                nonlocal done
                async with slots:
                    outcome = await client.send(integration, request)
                done += 1
                if done >= KILL_AFTER:
                    answered.set()
                return outcome

            async def crash() -> None:
                await answered.wait()
                replicas[0].proc.send_signal(signal.SIGKILL)  # mid-load: requests in flight

            killer = asyncio.create_task(crash())
            outcomes = await asyncio.gather(*(one(r) for r in range(REQUESTS)))
            await killer
            sent_once = list(state.calls)
            claims = await _claims(postgres_url)

            # Every request again, same keys: the first answers, and no upstream call.
            repeats = await asyncio.gather(*(client.send(integration, r) for r in range(REQUESTS)))
    finally:
        if gateway is not None:
            await gateway.close()
        for replica in replicas:
            await stop(replica.proc)
        await hubspot.close()

    assert replicas[0].proc.returncode == -signal.SIGKILL
    retried = {r for r, o in enumerate(outcomes) if o.attempts > 1}
    assert retried, "the crash interrupted no request"

    # Nothing lost: every input confirmed, and stored upstream.
    assert [t.answer for t in twins[::2]] == [t.answer for t in twins[1::2]]
    assert all(t.attempts == 1 for t in twins)  # both replicas were up: no retry
    wanted = {p for r in range(REQUESTS + RACES) for p in pairs_of(inputs(r))}
    for r, outcome in [*enumerate(outcomes), *zip(raced, twins[::2], strict=True)]:
        assert outcome.answer["numErrors"] == 0, outcome
        assert pairs_of(outcome.answer["results"]) == pairs_of(inputs(r))
    stored = {
        (row.from_id, row.to_id)
        for row in state.associations
        if (row.from_type, row.to_type) == ("contacts", "companies")
    }
    assert stored == wanted

    # Nothing written twice: an input went upstream twice only when the crash cut its
    # request short, and the repeats were answered from the idempotency records.
    writes = [c for c in sent_once if c.path.endswith("/batch/create") and accepted(state, c)]
    times_sent = collections.Counter(p for c in writes for p in pairs_of(c.body["inputs"]))
    assert set(times_sent) == wanted
    assert max(times_sent.values()) <= 2
    twice = {p for p, n in times_sent.items() if n == 2}
    assert twice <= {p for r in retried for p in pairs_of(inputs(r))}
    # (A repeat may still meet the dead replica in the gateway's rotation: it retries.)
    assert [o.answer for o in repeats] == [o.answer for o in outcomes]
    assert len(state.calls) == len(sent_once)

    # Every key answered: no claim left in progress by the killed replica.
    assert claims == {"answered": REQUESTS + RACES, "in progress": 0}

    # One refresh per expiry across both replicas: each refresh spent the refresh token the
    # one before it issued (none refused, none presented twice), and there were no more of
    # them than expiries in the time the load took.
    oauth = state.oauth
    assert oauth.refreshes >= 1
    assert oauth.refused == []
    assert len(set(oauth.presented)) == len(oauth.presented) == oauth.refreshes
    api_calls = [c for c in sent_once if not c.path.startswith("/oauth")]
    span = api_calls[-1].at - api_calls[0].at
    assert oauth.refreshes <= span / (TOKEN_LIFETIME_S - REFRESH_MARGIN_S) + 1

    # The combined rate: in no rolling second did the emulator receive more API calls than its
    # limit (its token endpoint is not rate-limited).
    provider = RateWindow(burst_max=BURST, interval_s=INTERVAL_S, daily_max=1_000_000)
    # Batch creates are exempt from HubSpot's ten-second window (its specs'
    # x-hubspot-rate-limit-exemptions): they count in the daily quota only, here as there.
    verdicts = collections.Counter(
        provider.acquire(c.at, burst_exempt=burst_exempt(c.method, c.path))
        for c in sorted(api_calls, key=_at)
    )
    assert verdicts == {LimitVerdict.OK: len(api_calls)}
    assert provider.daily_used == len(api_calls)
    busiest = max(sum(0 <= d.at - c.at < INTERVAL_S for d in api_calls) for c in api_calls)
    print(  # the figures the README quotes (pytest -s shows them)
        f"topology: {REQUESTS} requests, {len(retried)} retried after the crash, "
        f"{len(writes)} upstream writes, {len(twice)} inputs sent twice, "
        f"{oauth.refreshes} token refreshes in {span:.1f} s, "
        f"busiest second {busiest}/{BURST} calls"
    )


async def _claims(postgres_url: str) -> dict[str, int]:
    conn = await asyncpg.connect(
        make_url(postgres_url).set(drivername="postgresql").render_as_string(hide_password=False)
    )
    try:
        rows = await conn.fetch(
            "SELECT response IS NOT NULL AS answered, count(*) FROM idempotency_records GROUP BY 1"
        )
    finally:
        await conn.close()
    counts = {"answered": 0, "in progress": 0}
    for row in rows:
        counts["answered" if row["answered"] else "in progress"] = row["count"]
    return counts


def accepted(state: HubSpotState, call: Any) -> bool:
    """Whether the emulator took the call's token when it came (a refused call wrote nothing)."""
    token = (call.header("Authorization") or "").removeprefix("Bearer ")
    expiry = state.token_expiry.get(token)
    return token in state.tokens and (expiry is None or call.at < expiry)


def _read(log: Path) -> str:
    return log.read_text(errors="replace")  # once, as the test fails: blocking is fine


def _at(call: Any) -> float:
    return float(call.at)
