"""From an ``integrationId`` to a capability, refusing before any call if it cannot be."""

from __future__ import annotations

from typing import TypeVar

from gql.context import Info
from gql.errors import ApiError, Code
from gql.loaders import Found
from providers import registry
from providers.capabilities import Capability, InputRules
from providers.checks import shown
from providers.domain import AuthStatus

C = TypeVar("C")


async def enabled(info: Info, integration_id: str) -> Found:
    """The caller's integration, refusing a missing (or another tenant's) or disabled one."""
    found = await info.context.loaders.integrations.load(integration_id)
    if found is None:
        raise ApiError(Code.NOT_FOUND, f"no integration with id {shown(integration_id)}")
    if not found[0].is_enabled:
        raise ApiError(
            Code.INTEGRATION_DISABLED,
            f"integration {shown(integration_id)} is disabled; enable it with updateCrmIntegration",
        )
    if found[0].auth_status is AuthStatus.REAUTHORIZATION_REQUIRED:
        # Remembered from the refused refresh: no call until the credentials change.
        raise ApiError(
            Code.REAUTHORIZATION_REQUIRED,
            f"{found[0].provider.name} refused the refresh token of integration "
            f"{shown(integration_id)}: authorise again and store the new credentials "
            "with updateCrmIntegration",
            provider=found[0].provider.name,
        )
    return found


async def capable(
    info: Info, integration_id: str, capability: Capability[C]
) -> tuple[Found, C, InputRules]:
    """The integration, its implementation of ``capability`` and its provider's input rules;
    ``UNSUPPORTED_PROVIDER`` when the provider has no such capability."""
    found = await enabled(info, integration_id)
    implementation = info.context.loaders.implementation(capability, found)
    return found, implementation, registry.rules(found[0].provider)


async def readable(
    info: Info, integration_id: str, object_type: str, record_id: str | None, to_type: str
) -> Found:
    """Check a read before it reaches a loader: the integration, and ids in its provider's form."""
    found = await enabled(info, integration_id)
    rules = registry.rules(found[0].provider)
    rules.object_type(object_type, "objectType")
    rules.object_type(to_type, "toObjectType")
    if record_id is not None:
        rules.record_id(record_id, "id")
    return found
