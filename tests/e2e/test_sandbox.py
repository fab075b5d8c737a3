"""The sandbox as a new user meets it: every GraphQL example in the README works against it."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient, TestServer

from gql.app import build_app
from gql.sandbox import INTEGRATION_IDS, Sandbox
from tests.harness import Api

README = Path(__file__).resolve().parents[2] / "README.md"


def readme_examples() -> list[str]:
    return re.findall(r"```graphql\n(.*?)```", README.read_text(), flags=re.DOTALL)


@pytest.fixture
async def sandbox() -> AsyncIterator[tuple[Sandbox, Api]]:
    stack = await Sandbox.start()
    app = build_app(stack.settings)
    app.on_startup.append(stack.seed)
    client = TestClient(TestServer(app))
    await client.start_server()
    yield stack, Api(client, key=stack.api_key)
    await client.close()
    await stack.close()


def test_the_readme_has_an_example_per_mutation():
    text = "\n".join(readme_examples())
    for name in (
        "createCrmIntegration",
        "createAssociation",
        "createDefaultAssociation",
        "batchCreateAssociations",
        "createRelation",
    ):
        assert f"{name}(" in text, name


async def test_every_readme_example_runs_against_the_sandbox(sandbox):
    _, api = sandbox
    listed = await api.data("{ crmIntegrations { id provider } }")
    assert {i["id"] for i in listed["crmIntegrations"]} == set(INTEGRATION_IDS.values())
    for example in readme_examples():
        body = await api.post(example)
        assert "errors" not in body, (example, body)
    # The README says the relation example answers ALREADY_EXISTS the second time.
    relation = next(e for e in readme_examples() if "demo-assoc-student" in e)
    error = await api.error(relation)
    assert error["extensions"]["code"] == "ALREADY_EXISTS"


async def test_the_sandbox_key_is_prefilled_in_graphiql_only_there(sandbox):
    stack, api = sandbox
    page = await api.client.get("/graphql", headers={"Accept": "text/html"})
    assert stack.api_key in await page.text()
