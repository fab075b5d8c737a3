"""Helpers for import tests: a HubSpot integration without a rate budget in the way, CSV
uploads over the GraphQL multipart request spec, and waiting on a job."""

from __future__ import annotations

import asyncio
import json
import math
from collections.abc import AsyncIterator, Awaitable
from typing import Any

import aiohttp

from gql.settings import Settings
from providers.hubspot.paths import V4_WRITE_MAX
from tests.harness import TOKENS, Api

# A HubSpot import's window on the default API version with no size forced: a call of
# HubSpot's documented 2,000 for each call in flight (4), so 8,000 items.
WINDOW = V4_WRITE_MAX * Settings().batch_concurrency

# Sizes forced on a server whose test needs many small windows (a kill must land mid-import):
# 100 a call under either HubSpot API version, so a window is batch_concurrency calls of 100.
SMALL_BATCHES = {"CRMGRAPH_HUBSPOT_V3_BATCH_LIMIT": "100", "CRMGRAPH_HUBSPOT_V4_BATCH_LIMIT": "100"}
SMALL_WINDOW = 100 * Settings().batch_concurrency

# How long a test waits for the batch create it holds before it fails: a backstop that turns
# a hang into a clear failure (the create normally comes within seconds), never a timing.
HOLD_BOUND_SECONDS = 120.0

JOB_FIELDS = "id status total processed succeeded failed cancelRequested errorCode errorMessage startedAt completedAt"

START = f"""mutation($id: ID!, $input: AssociationImportInput!) {{
  startAssociationImport(integrationId: $id, input: $input) {{ {JOB_FIELDS} }} }}"""

JOB = f"""query($id: ID!) {{ associationImport(id: $id) {{ {JOB_FIELDS} }} }}"""

ERRORS = """query($id: ID!, $after: String) { associationImport(id: $id) {
  errors(first: 1000, after: $after) { items { index line from { id } to { id } type code message }
  endCursor hasNextPage } } }"""

RESULTS = """query($id: ID!, $after: String) { associationImport(id: $id) {
  results(first: 1000, after: $after) { items { index line from { id } to { id } type }
  endCursor hasNextPage } } }"""


async def fast_hubspot(api: Api, key: str | None = None) -> str:
    """A HubSpot integration whose own budget is far above what a test sends."""
    data = await api.data(
        """mutation($input: CreateCrmIntegrationInput!) { createCrmIntegration(input: $input) { id } }""",
        {
            "input": {
                "provider": "HUBSPOT",
                "name": "import test",
                "credentials": {"accessToken": TOKENS["HUBSPOT"]},
                "rateLimits": {"requestsPerInterval": 100_000, "intervalSeconds": 1},
            }
        },
        key=key,
    )
    return str(data["createCrmIntegration"]["id"])


def csv_of(rows: list[tuple[str, str]], header: str = "from_id,to_id") -> bytes:
    return (header + "\n" + "".join(f"{f},{t}\n" for f, t in rows)).encode()


def multipart(query: str, variables: dict[str, Any], data: bytes) -> aiohttp.FormData:
    """The GraphQL multipart request spec: operations, map, then the file part."""
    form = aiohttp.FormData()
    form.add_field("operations", json.dumps({"query": query, "variables": variables}))
    form.add_field("map", json.dumps({"0": ["variables.input.file"]}))
    form.add_field("0", data, filename="pairs.csv", content_type="text/csv")
    return form


async def upload(
    api: Api, integration: str, data: bytes, *, type_: str | None = "contact_to_company"
) -> dict[str, Any]:
    variables = {
        "id": integration,
        "input": {
            "fromObjectType": "contacts",
            "toObjectType": "companies",
            "type": type_,
            "file": None,
        },
    }
    response = await api.client.post(
        "/graphql",
        data=multipart(START, variables, data),
        headers={"Authorization": f"Bearer {api.key}"},
    )
    assert response.status == 200, await response.text()
    body: dict[str, Any] = await response.json()
    return body


async def progress(
    api: Api, job_id: str, fields: str = JOB_FIELDS, key: str | None = None
) -> AsyncIterator[dict[str, Any]]:
    """The subscription's messages (next, error, complete) over graphql-transport-ws."""
    async with api.client.ws_connect("/graphql", protocols=["graphql-transport-ws"]) as ws:
        await ws.send_json(
            {"type": "connection_init", "payload": {"Authorization": f"Bearer {key or api.key}"}}
        )
        assert (await ws.receive_json())["type"] == "connection_ack"
        await ws.send_json(
            {
                "id": "1",
                "type": "subscribe",
                "payload": {
                    "query": f"subscription($id: ID!) {{ associationImportProgress(id: $id) {{ {fields} }} }}",
                    "variables": {"id": job_id},
                },
            }
        )
        while True:
            message: dict[str, Any] = await ws.receive_json()
            yield message
            if message["type"] in ("complete", "error"):
                return


async def finished(api: Api, job_id: str) -> dict[str, Any]:
    """Follow the job over its own subscription until it is final (no polling, no sleeps)."""
    last: dict[str, Any] = {}
    async for message in progress(api, job_id):
        if message["type"] == "complete":
            return last
        assert message["type"] == "next", message
        assert "errors" not in message["payload"], message
        last = message["payload"]["data"]["associationImportProgress"]
    raise AssertionError(f"the subscription ended without completing: {last}")


async def pages(api: Api, query: str, job_id: str) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    after = None
    while True:
        data = await api.data(query, {"id": job_id, "after": after})
        page = next(iter(data["associationImport"].values()))
        items += page["items"]
        if not page["hasNextPage"]:
            return items
        after = page["endCursor"]


class HeldCreate:
    """The emulator's ``nth`` batch create, written and its reply held until released."""

    def __init__(self, state: Any, nth: int) -> None:
        self.state = state
        self.nth = nth
        self.held = asyncio.Event()

    async def wait(self, job_end: Awaitable[dict[str, Any]] | None = None) -> None:
        """Until that reply is held (the moment to kill whoever sent it).

        Fails with the number of creates seen, rather than hanging, when ``job_end`` (the job
        followed to its end, such as ``finished(api, id)``) comes first, so the ``nth`` never
        will; or, as a backstop, after ``HOLD_BOUND_SECONDS``.
        """
        held = asyncio.ensure_future(self.held.wait())
        ended = asyncio.ensure_future(job_end) if job_end is not None else None
        waiting = {held} if ended is None else {held, ended}
        try:
            done, _ = await asyncio.wait(
                waiting, timeout=HOLD_BOUND_SECONDS, return_when=asyncio.FIRST_COMPLETED
            )
        finally:  # also when the caller gives up first (its own wait_for)
            for task in waiting:
                task.cancel()
            await asyncio.gather(*waiting, return_exceptions=True)
        if held in done:
            return
        seen = self.state.count("POST", "/batch/create")
        if ended is not None and ended in done:
            raise AssertionError(
                f"the job ended {ended.result().get('status')} after {seen} batch creates: "
                f"the test holds create number {self.nth}, which never came"
            )
        raise AssertionError(
            f"{seen} batch creates in {HOLD_BOUND_SECONDS:.0f} s: the test holds create "
            f"number {self.nth}, which did not come"
        )


def hold_create(state: Any, nth: int) -> HeldCreate:
    """The emulator writes its ``nth`` batch create, then holds the reply until released;
    ``wait()`` returns once that reply is held, and fails if it cannot come."""
    state.faults.inject(
        "timeout", path="/batch/create", every=nth, times=1, apply_before_fault=True
    )
    created = HeldCreate(state, nth)
    hold = state.hold

    async def hold_and_tell(delay: float) -> None:
        created.held.set()
        await hold(delay)

    state.hold = hold_and_tell
    return created


def sent_pairs(state: Any) -> list[tuple[str, str]]:
    """Every pair the emulator's batch creates were sent, repeats included."""
    return [
        (i["from"]["id"], i["to"]["id"])
        for c in state.calls
        if c.path.endswith("/batch/create")
        for i in c.body["inputs"]
    ]


def batch_creates(items: int) -> int:
    """The batch creates an import of ``items`` pairs takes on the default API version with no
    size forced: every call full at HubSpot's documented 2,000 but the last (a window is a
    whole number of calls)."""
    return math.ceil(items / V4_WRITE_MAX)


async def import_until_held(api: Api, state: Any, pairs: list[tuple[str, str]], nth: int) -> str:
    """Start an import of ``pairs`` (a fresh integration, the emulator's rate limit lifted)
    and answer its id once the emulator has written its ``nth`` batch create and holds the
    reply: the worst moment to stop the process running it. ``state.release_held()`` lets
    the reply go."""
    state.burst_limit, state.interval_ms = 100_000, 1000
    held = hold_create(state, nth)
    integration = await fast_hubspot(api)
    job = (await upload(api, integration, csv_of(pairs)))["data"]["startAssociationImport"]
    await held.wait(finished(api, job["id"]))  # fails, not hangs, if the job ends first
    return str(job["id"])
