"""The spec-validation helper accepts what the emulators accept and refuses broken requests."""

from __future__ import annotations

from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from emulators.common import RecordedCall
from emulators.hubspot import HubSpotState
from emulators.leadconnector import LeadConnectorState
from tests.spec_validation import SpecValidationError, request_errors, spec_for, validate_call

# Spec checks: they skip, counted in one summary line, when the specs are not there.
pytestmark = pytest.mark.usefixtures("openapi_specs")

Client = TestClient[Any, Any]


async def test_valid_hubspot_calls_pass(hs: Client, hs_state: HubSpotState) -> None:
    pair = {"from": {"id": "101"}, "to": {"id": "201"}}
    await hs.post(
        "/crm/v3/associations/contacts/companies/batch/create",
        json={"inputs": [{**pair, "type": "contact_to_company"}]},
    )
    await hs.put("/crm/v4/objects/contacts/101/associations/default/companies/201")
    await hs.post(
        "/crm/v4/associations/contacts/companies/batch/associate/default", json={"inputs": [pair]}
    )
    await hs.post(
        "/crm/v4/associations/contacts/companies/batch/read",
        json={"inputs": [{"id": "101"}, {"id": "102", "after": "MC0yLTIwMQ=="}]},
    )
    await hs.get("/crm/v4/associations/contacts/companies/labels")
    assert len(hs_state.calls) == 5
    for call in hs_state.calls:
        assert request_errors(call) == [], call.path
        validate_call(call)


async def test_valid_hubspot_2026_09_calls_pass(hs: Client, hs_state: HubSpotState) -> None:
    dated = "/crm/associations/2026-09/contacts/companies"
    pair = {"from": {"id": "101"}, "to": {"id": "201"}}
    spec = {"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 279}
    await hs.post(f"{dated}/batch/create", json={"inputs": [{**pair, "types": [spec]}]})
    await hs.post(f"{dated}/batch/associate/default", json={"inputs": [pair]})
    await hs.post(f"{dated}/batch/read", json={"inputs": [{"id": "101"}]})
    await hs.get(f"{dated}/labels")
    await hs.put("/crm/objects/2026-09/contacts/101/associations/default/companies/201")
    await hs.put("/crm/objects/2026-09/contacts/101/associations/companies/201", json=[spec])
    assert [c.path.split("/")[2] for c in hs_state.calls] == ["associations"] * 4 + ["objects"] * 2
    for call in hs_state.calls:
        assert spec_for(call) is not None, call.path
        assert request_errors(call) == [], call.path


def test_a_v3_type_name_on_2026_09_violates_its_spec() -> None:
    body = b'{"inputs":[{"from":{"id":"1"},"to":{"id":"2"},"type":"contact_to_company"}]}'
    headers = {"Authorization": "Bearer t", "Content-Type": "application/json"}
    dated = call("POST", "/crm/associations/2026-09/contacts/companies/batch/create", headers, body)
    assert any("'types' is a required" in e for e in request_errors(dated))


async def test_valid_highlevel_calls_pass(ghl: Client, ghl_state: LeadConnectorState) -> None:
    page = {"locationId": "loc1", "skip": "0", "limit": "10"}
    await ghl.post(
        "/associations/relations",
        json={
            "locationId": "loc1",
            "associationId": "assoc1",
            "firstRecordId": "k1",
            "secondRecordId": "c1",
        },
    )
    await ghl.get("/associations/relations/c1", params=page)
    await ghl.get("/associations/", params=page)
    await ghl.get("/associations/", params=page, headers={"Version": "v3"})
    assert spec_for(ghl_state.calls[-1]) == (
        "gohighlevel/apps/v3/associations-v3.json",
        "https://services.leadconnectorhq.com",
    )
    for call in ghl_state.calls:
        assert request_errors(call) == [], call.path


async def test_missing_version_header_is_refused(
    ghl: Client, ghl_state: LeadConnectorState
) -> None:
    ghl.session.headers.pop("Version")
    await ghl.get(
        "/associations/",
        params={"locationId": "loc1", "skip": "0", "limit": "10"},
        headers={"Authorization": "Bearer ghl-test-token"},
    )
    errors = request_errors(ghl_state.calls[-1])
    assert len(errors) == 1
    assert "Version" in errors[0]
    with pytest.raises(SpecValidationError, match="Version"):
        validate_call(ghl_state.calls[-1])


async def test_v3_body_without_inputs_is_refused(hs: Client, hs_state: HubSpotState) -> None:
    await hs.post("/crm/v3/associations/contacts/companies/batch/create", json={"items": []})
    errors = request_errors(hs_state.calls[-1])
    assert errors
    assert "InvalidRequestBody" in errors[0]
    assert "'inputs' is a required" in errors[0]


def call(method: str, path: str, headers: dict[str, str], body: bytes = b"") -> RecordedCall:
    return RecordedCall(method, path, {}, headers, None, body)


def test_other_refusals_and_skips() -> None:
    auth = {"Authorization": "Bearer t", "Content-Type": "application/json"}
    no_auth = call("GET", "/crm/v4/associations/contacts/companies/labels", {})
    assert any("Security" in e for e in request_errors(no_auth))
    unknown = call("POST", "/crm/v3/associations/contacts/companies/batch/nope", auth, b"{}")
    assert any("PathNotFound" in e for e in request_errors(unknown))
    wrong_type = call(
        "POST", "/crm/v4/associations/contacts/companies/batch/read", auth, b'{"inputs":[{"id":1}]}'
    )
    assert request_errors(wrong_type)
    salesforce = call("GET", "/services/data/v62.0/query", auth)
    assert spec_for(salesforce) is None
    assert request_errors(salesforce) == []
