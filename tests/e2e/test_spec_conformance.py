"""The requests our clients send are valid against the official OpenAPI specs.

Every e2e test already checks this when its emulators shut down (tests/conftest.py); this
module makes the check explicit per endpoint, and shows the check can fail.
"""

from __future__ import annotations

import pytest

from emulators.common import RecordedCall
from providers.hubspot.paths import API_VERSIONS
from tests.e2e.test_hubspot import BATCH, DEFAULT, pairs
from tests.e2e.test_leadconnector import RELATE, relation
from tests.spec_validation import request_errors, spec_for

# Spec checks: they skip, counted in one summary line, when the specs are not there.
pytestmark = pytest.mark.usefixtures("openapi_specs")


def assert_valid(calls: list[RecordedCall], path_part: str) -> None:
    sent = [c for c in calls if path_part in c.path]
    assert sent, f"no call to {path_part}"
    for call in sent:
        assert spec_for(call) is not None, call.path  # checked against a spec, not skipped
        assert request_errors(call) == [], (call.method, call.path, call.body)


@pytest.mark.parametrize("hubspot_api_version", API_VERSIONS)
async def test_hubspot_requests_match_the_specs(api, hubspot, hubspot_api_version):
    integration = await api.create_integration("HUBSPOT")
    hubspot.state.associate("contacts", "1", "companies", "1001")
    await api.data(DEFAULT, {"id": integration, "from": "2", "to": "1002"})
    await api.batch(
        [
            {
                "query": DEFAULT,
                "variables": {"id": integration, "from": str(i), "to": str(1000 + i)},
            }
            for i in (3, 4)
        ]
    )
    await api.data(BATCH, {"id": integration, "inputs": pairs(3)})
    primary = [{"from": {"id": "5"}, "to": {"id": "1005"}, "type": "1"}]
    await api.data(BATCH, {"id": integration, "inputs": primary})
    await api.data(
        """query($id: ID!) { crmRecord(integrationId: $id, objectType: "contacts", id: "1") {
        associations(toObjectType: "companies") { totalCount } } }""",
        {"id": integration},
    )
    await api.data(
        """query($id: ID!) { associationLabels(integrationId: $id,
        fromObjectType: "contacts", toObjectType: "companies") { typeId label } }""",
        {"id": integration},
    )
    for path in (
        "/associations/default/",
        "/batch/associate/default",
        "/batch/create",
        "/batch/read",
        "/labels",
    ):
        assert_valid(hubspot.state.calls, path)
    specs = {spec_for(c)[0] for c in hubspot.state.calls}  # type: ignore[index]
    dated = {
        "hubspot/associations-2026-09.openapi.json",
        "hubspot/associations-schema-2026-09.openapi.json",
    }
    assert (specs == dated) if hubspot_api_version == "2026-09" else not (specs & dated)


async def test_highlevel_requests_match_the_spec(api, ghl):
    integration = await api.create_integration("LEADCONNECTOR")
    await api.data(
        'mutation($id: ID!) { updateCrmIntegration(id: $id, input: {locationId: "demo-location"}) { id } }',
        {"id": integration},
    )
    await api.data(RELATE, {"id": integration, "input": relation()})
    await api.data(
        """query($id: ID!) { crmRecord(integrationId: $id, objectType: "contact",
        id: "demo-contact-1") { associations(toObjectType: "custom_objects.children") { totalCount } } }""",
        {"id": integration},
    )
    await api.data(
        """query($id: ID!) { associationLabels(integrationId: $id,
        fromObjectType: "custom_objects.children", toObjectType: "contact") { id label } }""",
        {"id": integration},
    )
    for path in ("/associations/relations", "/associations/"):
        assert_valid(ghl.state.calls, path)


@pytest.mark.parametrize(
    ("call", "needle"),
    [
        (
            RecordedCall(
                "POST",
                "/associations/relations",
                {},
                {"Authorization": "Bearer t"},
                {
                    "locationId": "l",
                    "associationId": "a",
                    "firstRecordId": "1",
                    "secondRecordId": "2",
                },
                b"",
            ),
            "Version",
        ),
        (
            RecordedCall(
                "POST",
                "/crm/v3/associations/contacts/companies/batch/create",
                {},
                {"Authorization": "Bearer t", "Content-Type": "application/json"},
                {"items": []},
                b'{"items": []}',
            ),
            "inputs",
        ),
    ],
)
def test_the_check_rejects_a_request_the_spec_does_not_allow(call, needle):
    errors = request_errors(call)
    assert errors
    assert needle in " ".join(errors)
