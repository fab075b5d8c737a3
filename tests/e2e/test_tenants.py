"""Tenant isolation: every query and mutation, given another tenant's integration id."""

from __future__ import annotations

import pytest

from tests.harness import KEYS

OPERATIONS = {
    "crmIntegration": ("query($id: ID!) { crmIntegration(id: $id) { id } }", "null"),
    "updateCrmIntegration": (
        'mutation($id: ID!) { updateCrmIntegration(id: $id, input: {name: "x"}) { id } }',
        "NOT_FOUND",
    ),
    "deleteCrmIntegration": ("mutation($id: ID!) { deleteCrmIntegration(id: $id) }", "NOT_FOUND"),
    "createDefaultAssociation": (
        """mutation($id: ID!) { createDefaultAssociation(integrationId: $id,
        fromObjectType: "contacts", fromObjectId: "1", toObjectType: "companies",
        toObjectId: "1001") { status } }""",
        "NOT_FOUND",
    ),
    "batchCreateAssociations": (
        """mutation($id: ID!) { batchCreateAssociations(integrationId: $id,
        fromObjectType: "contacts", toObjectType: "companies",
        inputs: [{from: {id: "1"}, to: {id: "1001"}, type: "contact_to_company"}]) { status } }""",
        "NOT_FOUND",
    ),
    "createAssociation": (
        """mutation($id: ID!) { createAssociation(integrationId: $id, input: {
        entityId: "001000000000001AAA", entity: ACCOUNTS,
        associations: {contacts: [{id: "003000000000001AAA"}]}}) { entityId } }""",
        "NOT_FOUND",
    ),
    "createRelation": (
        """mutation($id: ID!) { createRelation(integrationId: $id, input: {locationId: "l",
        associationId: "a", firstRecordId: "r1", secondRecordId: "r2"}) { id } }""",
        "NOT_FOUND",
    ),
    "crmRecord": (
        """query($id: ID!) { crmRecord(integrationId: $id, objectType: "contacts", id: "1") {
        associations(toObjectType: "companies") { totalCount } } }""",
        "NOT_FOUND",
    ),
    "crmRecords": (
        """query($id: ID!) { crmRecords(integrationId: $id, objectType: "contacts", ids: ["1"]) {
        id } }""",
        "NOT_FOUND",
    ),
    "associationLabels": (
        """query($id: ID!) { associationLabels(integrationId: $id, fromObjectType: "contacts",
        toObjectType: "companies") { typeId } }""",
        "NOT_FOUND",
    ),
    "_entities": (
        """query($id: ID!) { _entities(representations: [
        {__typename: "CrmIntegration", id: $id},
        {__typename: "CrmRecord", integrationId: $id, objectType: "contacts", id: "1"}]) {
        __typename } }""",
        "null",
    ),
}


def test_every_root_field_that_takes_an_integration_is_covered():
    from gql.schema import build_schema

    schema = build_schema()._schema
    takes_one = {
        name
        for name, f in [*schema.query_type.fields.items(), *schema.mutation_type.fields.items()]
        if {"id", "integrationId", "representations"} & set(f.args)
    }
    assert takes_one, "no root field takes an integration id: the check below is vacuous"
    assert takes_one <= set(OPERATIONS), takes_one - set(OPERATIONS)


@pytest.mark.parametrize("name", sorted(OPERATIONS))
async def test_another_tenants_integration_is_invisible(api, hubspot, sf, ghl, name):
    query, expected = OPERATIONS[name]
    for provider, extra in (
        ("HUBSPOT", {}),
        ("SALESFORCE", {"instance_url": sf.url}),
        ("LEADCONNECTOR", {}),
    ):
        theirs = await api.create_integration(provider, key=KEYS["globex"], **extra)
        body = await api.post(query, {"id": theirs})
        if expected == "null":
            assert "errors" not in body, body
            assert all(v in (None, [None, None]) for v in body["data"].values()), body
        else:
            assert body["errors"][0]["extensions"]["code"] == expected, body
        # ...while the owner still sees it.
        owner = await api.post(
            "query($id: ID!) { crmIntegration(id: $id) { id } }", {"id": theirs}, key=KEYS["globex"]
        )
        assert owner["data"]["crmIntegration"] == {"id": theirs}
    assert hubspot.state.count() == sf.state.count() == ghl.state.count() == 0
