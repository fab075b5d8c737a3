"""Every hostile or malformed request in the corpus gets a coded JSON error and calls no CRM.

One app and one emulator per provider serve the whole module (a module-scoped event loop), so
the corpus runs in a few seconds. For each case: the status is the expected one and never a 5xx,
the body is JSON, every error has a message and an ``extensions.code`` (the set of codes is the
expected one), no trace or internal name leaks, and no emulator recorded a call.
"""

from __future__ import annotations

import io
import json
import re
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import pytest
import pytest_asyncio
from aiohttp.test_utils import TestClient, TestServer

from emulators import leadconnector, salesforce
from emulators import sandbox_data as demo
from emulators.hubspot import HubSpotState
from emulators.hubspot import serve as serve_hubspot
from gql.app import build_app
from tests.harness import KEYS, TOKENS, Api, make_settings
from tests.security import corpus

module_loop = pytest.mark.asyncio(loop_scope="module")

# Words that only a trace or an internal error would put in a body.
LEAKS = re.compile(
    r"Traceback|File \"|\.py\b|line \d+, in |"
    r"\b(?:Attribute|Type|Key|Index|Value|Recursion|UnicodeDecode|JSONDecode|Runtime|Assertion"
    r"|NameError|ZeroDivision|Import)Error\b|"
    r"\b(?:strawberry|aiohttp|sqlalchemy|pydantic|graphql\.|providers\.|gql\.)\b|"
    r"HTTPException|GraphQLView|CrmGraphView|ProviderError|InvalidRequest|IntegrityError|"
    r"Server got itself in trouble"
)
MAX_MESSAGE = 2_000  # a message longer than this echoes input back instead of explaining


@dataclass
class Stack:
    client: TestClient[Any, Any]
    emulators: dict[str, Any]
    ids: dict[str, str]

    def calls(self) -> dict[str, int]:
        return {name: e.state.count() for name, e in self.emulators.items()}


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def stack(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Stack]:
    hs_state = HubSpotState(tokens={TOKENS["HUBSPOT"]}, rate_limit_enabled=False)
    hs_state.add_records("contacts", *[str(i) for i in range(1, 401)])
    hs_state.add_records("companies", *[str(i) for i in range(1001, 1401)])
    hubspot = await serve_hubspot(hs_state)
    sf = await salesforce.serve(
        demo.seed_salesforce(salesforce.SalesforceState(tokens={TOKENS["SALESFORCE"]}))
    )
    ghl = await leadconnector.serve(
        demo.seed_leadconnector(leadconnector.LeadConnectorState(tokens={TOKENS["LEADCONNECTOR"]}))
    )
    settings = make_settings(
        str(tmp_path_factory.mktemp("security") / "crmgraph.db"),
        hubspot_base_url=hubspot.url,
        leadconnector_base_url=ghl.url,
    )
    client: TestClient[Any, Any] = TestClient(TestServer(build_app(settings)))
    await client.start_server()
    try:
        api = Api(client)
        ids = {
            corpus.HUBSPOT: await api.create_integration("HUBSPOT"),
            corpus.SALESFORCE: await api.create_integration("SALESFORCE", instance_url=sf.url),
            corpus.LEADCONNECTOR: await leadconnector_with_location(api),
            corpus.DISABLED: await api.create_integration("HUBSPOT", enabled=False),
            corpus.OTHER_TENANT: await api.create_integration("HUBSPOT", key=KEYS["globex"]),
        }
        deleted = await api.create_integration("HUBSPOT")
        await api.data("mutation($id: ID!) { deleteCrmIntegration(id: $id) }", {"id": deleted})
        ids[corpus.DELETED] = deleted
        yield Stack(client, {"hubspot": hubspot, "salesforce": sf, "leadconnector": ghl}, ids)
    finally:
        await client.close()
        for emulator in (hubspot, sf, ghl):
            await emulator.close()


async def leadconnector_with_location(api: Api) -> str:
    data = await api.data(
        "mutation($input: CreateCrmIntegrationInput!) { createCrmIntegration(input: $input) { id } }",
        {
            "input": {
                "provider": "LEADCONNECTOR",
                "name": "leadconnector test",
                "locationId": demo.GHL_LOCATION_ID,
                "credentials": {"accessToken": TOKENS["LEADCONNECTOR"]},
            }
        },
    )
    return str(data["createCrmIntegration"]["id"])


def _errors(body: Any) -> list[Any]:
    """Every error of a response: one operation's, or each of a batch's, and the inputs a
    batch mutation refused one by one (``errors`` with an ``inputIndex``), coded by category."""
    items = body if isinstance(body, list) else [body]
    errors: list[Any] = []
    for item in items:
        assert isinstance(item, dict), f"not a response object: {item!r:.200}"
        errors += item.get("errors") or []
        answers = [a for a in (item.get("data") or {}).values() if isinstance(a, dict)]
        for answer in answers:
            for refused in answer.get("errors") or []:
                if isinstance(refused, dict) and refused.get("inputIndex") is not None:
                    code = refused.get("category")
                    errors.append({"message": refused.get("message"), "extensions": {"code": code}})
    return errors


def check_answer(case: corpus.Case, status: int, content_type: str, text: str) -> None:
    assert status < 500, f"{case.name}: {status} {text[:300]}"
    assert status == case.status, f"{case.name}: {status} (expected {case.status}) {text[:300]}"
    assert content_type == "application/json", f"{case.name}: {content_type} {text[:300]}"
    leak = LEAKS.search(text)
    assert leak is None, f"{case.name}: leaks {leak.group(0)!r}: {text[:300]}"
    body = json.loads(text)
    errors = _errors(body)
    assert errors, f"{case.name}: no error: {text[:300]}"
    for error in errors:
        message = error.get("message")
        assert isinstance(message, str), f"{case.name}: {error!r:.300}"
        assert message.strip(), f"{case.name}: {error!r:.300}"
        assert len(message) <= MAX_MESSAGE, f"{case.name}: a {len(message)}-char message"
        code = (error.get("extensions") or {}).get("code")
        assert isinstance(code, str), f"{case.name}: no code: {error!r:.300}"
        assert code, f"{case.name}: an empty code: {error!r:.300}"
    found = {e["extensions"]["code"] for e in errors}
    assert found == case.codes, f"{case.name}: codes {sorted(found)}: {text[:300]}"


async def send(stack: Stack, case: corpus.Case) -> tuple[int, str, str]:
    headers, body = case.materialize(stack.ids)
    response = await stack.client.request(
        case.method,
        case.path,
        headers=headers,
        params=case.query_string(stack.ids),
        data=None if body is None else io.BytesIO(body),
        skip_auto_headers={"Content-Type"} if "Content-Type" not in headers else None,
    )
    async with response:
        return response.status, response.content_type, await response.text()


def _param(case: corpus.Case) -> Any:
    marks = [pytest.mark.xfail(strict=True, reason=case.xfail)] if case.xfail else []
    return pytest.param(case, id=case.name, marks=marks)


@module_loop
@pytest.mark.parametrize("case", [_param(c) for c in corpus.CASES])
async def test_hostile_request_gets_a_coded_error_and_calls_no_crm(
    stack: Stack, case: corpus.Case
) -> None:
    before = stack.calls()
    started = time.monotonic()
    try:
        status, content_type, text = await send(stack, case)
    finally:
        # Checked even when the answer is wrong: an upstream call is the worse failure.
        assert stack.calls() == before, f"{case.name}: called a CRM: {stack.calls()} vs {before}"
    elapsed = time.monotonic() - started
    check_answer(case, status, content_type, text)
    assert elapsed < case.max_seconds, f"{case.name}: answered in {elapsed:.2f} s"


@module_loop
async def test_the_server_still_answers_after_the_corpus(stack: Stack) -> None:
    api = Api(stack.client)
    data = await api.data("{ crmIntegrations { id provider } }")
    registered = {i["id"] for i in data["crmIntegrations"]}
    assert stack.ids[corpus.HUBSPOT] in registered
    assert stack.ids[corpus.DELETED] not in registered


@module_loop
async def test_a_bad_id_on_the_integration_query_is_null_without_a_call(stack: Stack) -> None:
    # A nullable lookup: no such integration answers null rather than an error.
    api = Api(stack.client)
    before = stack.calls()
    for value in ["", "nope", "' OR '1'='1", stack.ids[corpus.OTHER_TENANT], "x" * 10_000]:
        data = await api.data("query($id: ID!) { crmIntegration(id: $id) { id } }", {"id": value})
        assert data == {"crmIntegration": None}
    assert stack.calls() == before


def test_the_corpus_is_large_and_covers_every_category() -> None:
    assert len(corpus.CASES) >= 200
    by_category: dict[str, int] = {}
    for case in corpus.CASES:
        by_category[case.category] = by_category.get(case.category, 0) + 1
    missing = set(corpus.REQUIRED_CATEGORIES) - set(by_category)
    assert not missing, missing
    assert all(n >= 5 for n in by_category.values()), by_category
    # Every mutation is tried with bad ids and over GET.
    names = {c.name.split("/")[0] for c in corpus.CASES if c.category == "bad-ids"}
    assert set(corpus.ID_MUTATIONS) <= names
    over_get = {c.name for c in corpus.CASES if c.category == "get-mutations"}
    assert {f"GET/{m}" for m in corpus.ALL_MUTATIONS} <= over_get
    assert len({c.name for c in corpus.CASES}) == len(corpus.CASES)
