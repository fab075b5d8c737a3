"""From an ``integrationId`` to a provider client, refusing before any call if it cannot be."""

from __future__ import annotations

from typing import TypeVar

from gql import validation as check
from gql.context import Info
from gql.errors import ApiError, Code, bad_input
from gql.loaders import Found
from providers.base import ProviderClient
from providers.domain import AuthStatus, CrmProvider
from providers.errors import InvalidRequest
from providers.registry import CLIENTS
from providers.salesforce.mapping import check_id, entity_named

C = TypeVar("C", bound=ProviderClient)


async def _enabled(info: Info, integration_id: str) -> Found:
    """The caller's integration, refusing a missing (or another tenant's) or disabled one."""
    found = await info.context.loaders.integrations.load(integration_id)
    if found is None:
        raise ApiError(Code.NOT_FOUND, f"no integration with id {check.shown(integration_id)}")
    if not found[0].is_enabled:
        raise ApiError(
            Code.INTEGRATION_DISABLED,
            f"integration {check.shown(integration_id)} is disabled; enable it with "
            "updateCrmIntegration",
        )
    if found[0].auth_status is AuthStatus.REAUTHORIZATION_REQUIRED:
        # Remembered from the refused refresh: no call until the credentials change.
        raise ApiError(
            Code.REAUTHORIZATION_REQUIRED,
            f"{found[0].provider.name} refused the refresh token of integration "
            f"{check.shown(integration_id)}: authorise again and store the new credentials "
            "with updateCrmIntegration",
            provider=found[0].provider.name,
        )
    return found


async def client_for(info: Info, integration_id: str, client_type: type[C], operation: str) -> C:
    integration, connection = await _enabled(info, integration_id)
    if CLIENTS[integration.provider] is not client_type:
        supported = [p.name for p, c in CLIENTS.items() if c is client_type]
        raise ApiError(
            Code.UNSUPPORTED_PROVIDER,
            f"{operation} works on {', '.join(supported)} integrations; "
            f"{check.shown(integration_id)} is {integration.provider.name}",
            provider=integration.provider.name,
        )
    return client_type(info.context.transport, connection)


async def readable(
    info: Info, integration_id: str, object_type: str, record_id: str | None, to_type: str
) -> Found:
    """Check a read before it reaches a loader: the integration, and ids in its provider's form."""
    found = await _enabled(info, integration_id)
    integration = found[0]
    if integration.provider is CrmProvider.HUBSPOT:
        check.hubspot_object_type(object_type, "objectType")
        check.hubspot_object_type(to_type, "toObjectType")
        if record_id is not None:
            check.hubspot_record_id(record_id, "id")
    elif integration.provider is CrmProvider.SALESFORCE:
        for name, what in ((object_type, "objectType"), (to_type, "toObjectType")):
            if entity_named(name) is None:
                raise bad_input(
                    f"{what} {check.shown(name)}: use accounts, contacts, opportunities or leads",
                    field=what,
                )
        if record_id is not None:
            try:
                check_id(record_id, "id")
            except InvalidRequest as exc:
                raise bad_input(exc.message, field="id") from None
    else:
        if not integration.location_id:
            raise bad_input(
                "this HighLevel integration has no locationId: set it with updateCrmIntegration",
                field="locationId",
            )
        if record_id is not None:
            check.leadconnector_id(record_id, "id")
    return found
