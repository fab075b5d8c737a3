from __future__ import annotations

import os
from collections.abc import AsyncIterator
from typing import Any

import pytest

from emulators import leadconnector, salesforce
from emulators import sandbox_data as demo
from emulators.hubspot import HubSpotState
from emulators.hubspot import serve as serve_hubspot
from providers.hubspot.paths import DEFAULT_API_VERSION
from tests.harness import TOKENS, Api, make_settings, serve
from tests.services import postgres_server, postgres_url, redis_server, redis_url
from tests.spec_validation import HOW_TO_ENABLE, SPECS_PRESENT, request_errors

# Spec checks skipped for want of the specs (tests/spec_validation.py), for the summary line.
_skipped_spec_checks = 0


def _specs_required() -> bool:
    return os.environ.get("CRMGRAPH_REQUIRE_SPECS", "").lower() not in {"", "0", "false"}


__all__ = ["postgres_server", "postgres_url", "redis_server", "redis_url"]  # fixtures


def assert_spec_valid(calls: list[Any]) -> None:
    """Every request our clients sent in a test must be valid against the official spec."""
    global _skipped_spec_checks
    if not SPECS_PRESENT and not _specs_required():
        _skipped_spec_checks += 1
        return
    problems = {f"{c.method} {c.path}": request_errors(c) for c in calls}
    assert not {k: v for k, v in problems.items() if v}


@pytest.fixture
def openapi_specs() -> None:
    """For tests that are spec checks themselves: skipped (and counted) without the specs."""
    global _skipped_spec_checks
    if not SPECS_PRESENT and not _specs_required():
        _skipped_spec_checks += 1
        pytest.skip(HOW_TO_ENABLE)


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if _skipped_spec_checks:
        terminalreporter.write_line(
            f"spec validation: {_skipped_spec_checks} checks skipped, {HOW_TO_ENABLE}"
        )


@pytest.fixture
async def hubspot() -> AsyncIterator[Any]:
    state = HubSpotState(tokens={TOKENS["HUBSPOT"]}, rate_limit_enabled=False)
    state.add_records("contacts", *[str(i) for i in range(1, 401)])
    state.add_records("companies", *[str(i) for i in range(1001, 1401)])
    state.add_records("deals", "5001", "5002")
    running = await serve_hubspot(state)
    yield running
    await running.close()
    assert_spec_valid(running.state.calls)


@pytest.fixture
async def sf() -> AsyncIterator[Any]:
    state = demo.seed_salesforce(salesforce.SalesforceState(tokens={TOKENS["SALESFORCE"]}))
    running = await salesforce.serve(state)
    yield running
    await running.close()


@pytest.fixture
async def ghl() -> AsyncIterator[Any]:
    state = leadconnector.LeadConnectorState(tokens={TOKENS["LEADCONNECTOR"]})
    running = await leadconnector.serve(demo.seed_leadconnector(state))
    yield running
    await running.close()
    assert_spec_valid(running.state.calls)


@pytest.fixture
def hubspot_api_version() -> str:
    """The HubSpot API version crmgraph calls; HubSpot's test modules run both
    (``@pytest.fixture(params=API_VERSIONS)`` overriding this one)."""
    return DEFAULT_API_VERSION


@pytest.fixture
def settings(tmp_path: Any, hubspot: Any, ghl: Any, hubspot_api_version: str) -> Any:
    return make_settings(
        str(tmp_path / "crmgraph.db"),
        hubspot_base_url=hubspot.url,
        leadconnector_base_url=ghl.url,
        hubspot_api_version=hubspot_api_version,
    )


@pytest.fixture
async def api(settings: Any) -> AsyncIterator[Api]:
    client = await serve(settings)
    yield Api(client)
    await client.close()
