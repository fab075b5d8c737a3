"""The integration registry over HTTP: API keys, tenants, persistence, write-only secrets."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from tests.harness import KEYS, Api, serve

CREATE = """mutation($input: CreateCrmIntegrationInput!) {
  createCrmIntegration(input: $input) {
    id provider name instanceUrl isEnabled isLive config createdAt updatedAt
  }
}"""

HERON_CONFIG = {
    "data_source_accounts_config": {
        "key": "Account",
        "external_name": "Account",
        "description": "A company or person",
        "field_mappings": [
            {
                "field_name": "Name",
                "heron_company_attribute_label": "owner_1_first_name",
                "value_mapping_name": "state",
                "max_length": 255,
            }
        ],
        "required_ids": [{"alias": "Company", "external_name": "Account"}],
        "static_data": [{"key": "status", "value": "active"}],
    },
    "default_id": {"alias": "Company", "external_name": "Account"},
    "value_mappings": [{"name": "state", "mapping": {"CA": "California"}}],
}


def new(provider: str = "HUBSPOT", **extra: object) -> dict[str, object]:
    return {
        "input": {
            "provider": provider,
            "name": "Main HubSpot",
            "credentials": {
                "accessToken": "pat-na1-SECRET-TOKEN",
                "clientSecret": "CLIENT-SECRET-XYZ",
            },
            **extra,
        }
    }


async def test_create_read_update_delete(api):
    created = (await api.data(CREATE, new(config=HERON_CONFIG)))["createCrmIntegration"]
    assert created["provider"] == "HUBSPOT"
    assert created["isEnabled"] is True
    assert created["config"]["value_mappings"][0]["mapping"] == {"CA": "California"}
    one = await api.data(
        "query($id: ID!) { crmIntegration(id: $id) { id name } }", {"id": created["id"]}
    )
    assert one["crmIntegration"] == {"id": created["id"], "name": "Main HubSpot"}
    updated = await api.data(
        """mutation($id: ID!) { updateCrmIntegration(id: $id, input: {isEnabled: false,
             name: "Renamed"}) { name isEnabled updatedAt } }""",
        {"id": created["id"]},
    )
    assert updated["updateCrmIntegration"]["name"] == "Renamed"
    assert updated["updateCrmIntegration"]["isEnabled"] is False
    deleted = await api.data(
        "mutation($id: ID!) { deleteCrmIntegration(id: $id) }", {"id": created["id"]}
    )
    assert deleted["deleteCrmIntegration"] == created["id"]
    assert (await api.data("{ crmIntegrations { id } }"))["crmIntegrations"] == []


@pytest.mark.parametrize(
    "config",
    [
        {"value_mappings": [{"mapping": {}}]},  # name missing
        {"unknown_key": True},
        {
            "object_configs": [
                {
                    "key": "A",
                    "external_name": "Account",
                    "field_mappings": [{"field_name": "X", "value_mapping_name": "nope"}],
                }
            ]
        },
        {"default_id": {"external_name": 5}},
    ],
)
async def test_config_is_validated_not_stored_blindly(api, config):
    error = await api.error(CREATE, new(config=config))
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert error["extensions"]["problems"]
    assert (await api.data("{ crmIntegrations { id } }"))["crmIntegrations"] == []


@pytest.mark.parametrize(
    "url",
    [
        "http://169.254.169.254/latest",
        "https://127.0.0.1",
        "https://10.0.0.8",
        "https://example.com",
        "ftp://na1.salesforce.com",
        "https://user:pw@x.my.salesforce.com",
    ],
)
async def test_salesforce_instance_url_must_be_a_salesforce_host(tmp_path, hubspot, url):
    from tests.harness import make_settings

    client = await serve(make_settings(str(tmp_path / "db.sqlite"), allow_insecure_upstreams=False))
    try:
        error = await Api(client).error(CREATE, new("SALESFORCE", instanceUrl=url))
        assert error["extensions"]["code"] == "BAD_USER_INPUT"
        ok = await Api(client).data(
            CREATE, new("SALESFORCE", instanceUrl="https://acme.my.salesforce.com")
        )
        assert ok["createCrmIntegration"]["instanceUrl"] == "https://acme.my.salesforce.com"
    finally:
        await client.close()


async def test_credentials_are_write_only_and_encrypted_at_rest(api, settings, caplog):
    caplog.set_level("DEBUG")
    created = await api.post(CREATE, new())
    listed = await api.post("{ crmIntegrations { id name provider config } }")
    for body in (created, listed):
        assert "SECRET-TOKEN" not in str(body)
        assert "CLIENT-SECRET" not in str(body)
    assert "SECRET" not in caplog.text
    db = settings.database_url.split("///", 1)[1]
    raw = Path(db).read_bytes()  # noqa: ASYNC240 - a small local file, read once
    assert b"SECRET-TOKEN" not in raw
    assert b"CLIENT-SECRET" not in raw
    introspection = await api.data('{ __type(name: "CrmIntegration") { fields { name } } }')
    names = {f["name"] for f in introspection["__type"]["fields"]}
    assert not names & {"credentials", "accessToken", "secret", "auth"}


async def test_another_tenants_integration_is_not_found(api, hubspot):
    theirs = (await api.data(CREATE, new(), key=KEYS["globex"]))["createCrmIntegration"]["id"]
    assert (await api.data("query($id: ID!) { crmIntegration(id: $id) { id } }", {"id": theirs}))[
        "crmIntegration"
    ] is None
    assert (await api.data("{ crmIntegrations { id } }"))["crmIntegrations"] == []
    for mutation in (
        'mutation($id: ID!) { updateCrmIntegration(id: $id, input: {name: "x"}) { id } }',
        "mutation($id: ID!) { deleteCrmIntegration(id: $id) }",
        """mutation($id: ID!) { createDefaultAssociation(integrationId: $id,
             fromObjectType: "contacts", fromObjectId: "1", toObjectType: "companies",
             toObjectId: "1001") { status } }""",
    ):
        error = await api.error(mutation, {"id": theirs})
        assert error["extensions"]["code"] == "NOT_FOUND"
    assert hubspot.state.count() == 0


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "Bearer wrong"},
        {"Authorization": f"Basic {KEYS['acme']}"},
        {"Authorization": "Bearer "},
    ],
)
async def test_missing_or_wrong_key_is_401(api, headers):
    response = await api.client.post(
        "/graphql", json={"query": "{ crmIntegrations { id } }"}, headers=headers
    )
    assert response.status == 401
    body = await response.json()
    assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


async def test_integrations_survive_a_restart(settings):
    client = await serve(settings)
    try:
        created = (await Api(client).data(CREATE, new()))["createCrmIntegration"]
    finally:
        await client.close()
    client = await serve(settings)
    try:
        listed = await Api(client).data("{ crmIntegrations { id name createdAt } }")
        assert listed["crmIntegrations"] == [
            {"id": created["id"], "name": "Main HubSpot", "createdAt": created["createdAt"]}
        ]
    finally:
        await client.close()
    db = settings.database_url.split("///", 1)[1]
    with sqlite3.connect(db) as conn:
        assert conn.execute("select count(*) from crm_integrations").fetchone() == (1,)


async def test_unknown_and_disabled_integrations_make_no_call(api, hubspot):
    mutation = """mutation($id: ID!) { createDefaultAssociation(integrationId: $id,
      fromObjectType: "contacts", fromObjectId: "1", toObjectType: "companies",
      toObjectId: "1001") { status } }"""
    for missing in ("nope", "00000000-0000-0000-0000-000000000000"):
        error = await api.error(mutation, {"id": missing})
        assert error["extensions"]["code"] == "NOT_FOUND"
    disabled = await api.create_integration("HUBSPOT", enabled=False)
    error = await api.error(mutation, {"id": disabled})
    assert error["extensions"]["code"] == "INTEGRATION_DISABLED"
    assert hubspot.state.count() == 0


async def test_a_combination_a_provider_cannot_express_calls_no_one(api, hubspot):
    integration = await api.create_integration("HUBSPOT")
    error = await api.error(
        """mutation($id: ID!) { createRelation(integrationId: $id, input: {
             associationId: "a", firstRecordId: "1", secondRecordId: "2"}) { id } }""",
        {"id": integration},
    )
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert "not a HubSpot label id" in error["message"]
    error = await api.error(
        """mutation($id: ID!) { createAssociation(integrationId: $id, input: {
             entityId: "1001", entity: ACCOUNTS,
             associations: {accounts: [{id: "1002"}]}}) { entityId } }""",
        {"id": integration},
    )
    assert error["extensions"]["code"] == "UNSUPPORTED_ASSOCIATION"
    assert hubspot.state.count() == 0
