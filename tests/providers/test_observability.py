"""Route templates and batch sizes: the labels upstream metrics and log lines use."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest

from providers.errors import RateLimited
from providers.hubspot.client import HubSpotClient
from providers.leadconnector.client import LeadConnectorClient
from providers.observability import Attempt, batch_size_of, generic_template
from providers.ratelimit import ProviderLimits
from providers.ratelimit_redis import RedisRateLimiter
from providers.salesforce.client import SalesforceClient
from tests.providers.test_ratelimit import HUBSPOT, VirtualTime, limiter_on


@pytest.mark.parametrize(
    ("routes", "path", "template"),
    [
        (
            HubSpotClient.routes,
            "/crm/v3/associations/contacts/companies/batch/create",
            "/crm/v3/associations/{fromObjectType}/{toObjectType}/batch/create",
        ),
        (
            HubSpotClient.routes,
            "/crm/associations/2026-09/contacts/companies/batch/create",
            "/crm/associations/2026-09/{fromObjectType}/{toObjectType}/batch/create",
        ),
        (
            HubSpotClient.routes,
            "/crm/v4/objects/contacts/102/associations/default/companies/202",
            "/crm/v4/objects/{fromObjectType}/{fromObjectId}/associations/default/{toObjectType}/{toObjectId}",
        ),
        (
            HubSpotClient.routes,
            "/crm/v4/associations/2-123/p_cars/labels",
            "/crm/v4/associations/{fromObjectType}/{toObjectType}/labels",
        ),
        (
            SalesforceClient.routes,
            "/services/data/v62.0/query/01gD0000002HU6KIAW-2000",
            "/services/data/{version}/query/{cursor}",
        ),
        (
            LeadConnectorClient.routes,
            "/associations/relations/abc123",
            "/associations/relations/{recordId}",
        ),
        # Unlisted: ids reduced, versions kept.
        (HubSpotClient.routes, "/crm/v3/objects/contacts/123", "/crm/v3/objects/contacts/{id}"),
        (HubSpotClient.routes, "/oauth/v1/token", "/oauth/v1/token"),
    ],
)
def test_a_path_is_named_by_its_route_template(routes, path, template):
    assert routes.template(path) == template


def test_generic_template_keeps_versions_and_hides_ids():
    assert generic_template("/a/2026-09/b/003XX0000004DcY/c") == "/a/2026-09/b/{id}/c"


@pytest.mark.parametrize(
    ("body", "size"),
    [
        ({"inputs": [1, 2, 3]}, 3),
        ({"allOrNone": False, "records": [{}] * 200}, 200),
        ([{}, {}], 2),
        ({"locationId": "x"}, None),
        (None, None),
    ],
)
def test_batch_size_of_a_body(body, size):
    assert batch_size_of(body) == size


class Heard:
    """An UpstreamObserver that keeps what it hears."""

    def __init__(self) -> None:
        self.waits: list[tuple[str, float]] = []
        self.refusals: list[tuple[str, str]] = []

    def attempted(self, attempt: Attempt) -> None:
        raise AssertionError("the limiter reports no attempts")

    def budget_waited(self, provider: str, seconds: float) -> None:
        self.waits.append((provider, seconds))

    def budget_refused(self, provider: str, scope: str) -> None:
        self.refusals.append((provider, scope))


async def test_the_limiter_reports_each_wait_and_each_local_refusal():
    clock = VirtualTime()
    limiter = limiter_on(clock, ProviderLimits(burst=1, interval_seconds=2.0, margin_seconds=0))
    limiter.observer = heard = Heard()

    async def reply(request: Any) -> Any:
        return SimpleNamespace(headers={})

    async def call(max_wait: float) -> Any:
        return await limiter.middleware(HUBSPOT, max_wait=max_wait)(None, reply)

    answers = await clock.run(call(10), call(10), call(1))
    assert [type(a) for a in answers] == [SimpleNamespace, SimpleNamespace, RateLimited]
    assert heard.waits == [("hubspot", 0.0), ("hubspot", 2.0)]
    assert heard.refusals == [("hubspot", "burst")]


async def test_the_shared_redis_limiter_reports_to_the_observer_too(redis_url):
    limiter = RedisRateLimiter(
        redis_url, {"hubspot": ProviderLimits(burst=1, interval_seconds=60, margin_seconds=0)}
    )
    limiter.observer = heard = Heard()
    try:
        await limiter.acquire(HUBSPOT, max_wait=1)
        with pytest.raises(RateLimited):
            await limiter.acquire(HUBSPOT, max_wait=1)
    finally:
        await limiter.close()
    assert [provider for provider, _ in heard.waits] == ["hubspot"]
    assert heard.refusals == [("hubspot", "burst")]
