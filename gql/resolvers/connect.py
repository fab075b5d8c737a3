"""From an ``integrationId`` to a provider client, refusing before any call if it cannot be."""

from __future__ import annotations

from typing import TypeVar

from gql.context import Info
from gql.errors import ApiError, Code
from providers.base import ProviderClient
from providers.registry import CLIENTS

C = TypeVar("C", bound=ProviderClient)


async def client_for(info: Info, integration_id: str, client_type: type[C], operation: str) -> C:
    ctx = info.context
    found = await ctx.loaders.integrations.load(integration_id)
    if found is None:
        raise ApiError(Code.NOT_FOUND, f"no integration with id {integration_id!r}")
    integration, connection = found
    if not integration.is_enabled:
        raise ApiError(
            Code.INTEGRATION_DISABLED,
            f"integration {integration_id!r} is disabled; enable it with updateCrmIntegration",
        )
    if CLIENTS[integration.provider] is not client_type:
        supported = [p.name for p, c in CLIENTS.items() if c is client_type]
        raise ApiError(
            Code.UNSUPPORTED_PROVIDER,
            f"{operation} works on {', '.join(supported)} integrations; "
            f"{integration_id!r} is {integration.provider.name}",
            provider=integration.provider.name,
        )
    return client_type(ctx.transport, connection)
