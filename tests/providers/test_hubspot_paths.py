"""paths.py against HubSpot's specs: every endpoint exists in its version's spec, with the
method we call, and is rate-limit exempt exactly when the spec tags it so."""

from __future__ import annotations

import json
from functools import cache
from typing import Any

import pytest

from providers.hubspot.paths import API_VERSIONS, Endpoint, HubSpotPaths
from tests.spec_validation import SPECS_DIR

HUBSPOT_SPECS = SPECS_DIR / "hubspot"


@cache
def spec_paths() -> dict[str, dict[str, Any]]:
    """Every HubSpot spec's paths, merged: path template -> method -> operation."""
    merged: dict[str, dict[str, Any]] = {}
    for file in sorted(HUBSPOT_SPECS.glob("*.openapi.json")):
        for template, operations in json.loads(file.read_text())["paths"].items():
            merged.setdefault(template, {}).update(operations)
    return merged


def endpoints(paths: HubSpotPaths) -> list[Endpoint]:
    return [
        paths.batch_create("contacts", "companies"),
        paths.associate_default("contacts", "companies"),
        paths.batch_read("contacts", "companies"),
        paths.labels("contacts", "companies"),
        paths.put_default("contacts", "1", "companies", "2"),
        paths.put_labelled("contacts", "1", "companies", "2"),
        paths.objects_batch_read("contacts"),
    ]


@pytest.mark.skipif(not HUBSPOT_SPECS.is_dir(), reason="HubSpot specs not beside the checkout")
@pytest.mark.parametrize("version", API_VERSIONS)
def test_every_endpoint_is_in_its_versions_spec_with_its_exemption(version):
    for endpoint in endpoints(HubSpotPaths(version)):
        operation = spec_paths().get(endpoint.template, {}).get(endpoint.method.lower())
        assert operation is not None, (endpoint.method, endpoint.template)
        tagged = "ten-secondly" in operation.get("x-hubspot-rate-limit-exemptions", [])
        assert endpoint.ten_secondly_exempt == tagged, endpoint.template
        assert (version in endpoint.template) == (version != "legacy")


def test_values_are_quoted_into_the_template():
    dated, legacy = HubSpotPaths("2026-09"), HubSpotPaths("legacy")
    assert dated.batch_create("p_orders", "0-1").path == (
        "/crm/associations/2026-09/p_orders/0-1/batch/create"
    )
    assert legacy.batch_create("contacts", "companies").path == (
        "/crm/v3/associations/contacts/companies/batch/create"
    )
    assert dated.put_labelled("contacts", "1/../x", "deals", "2").path == (
        "/crm/objects/2026-09/contacts/1%2F..%2Fx/associations/deals/2"
    )
    assert [legacy.batch_create("a", "b").max_inputs, dated.batch_create("a", "b").max_inputs] == [
        100,
        2_000,
    ]


def test_an_unknown_version_is_refused():
    with pytest.raises(ValueError, match="2026-09"):
        HubSpotPaths("2025-03")  # type: ignore[arg-type]
