"""The registry: (provider, capability) -> implementation, as plain dicts.

gql/ asks ``implementation(DEFAULT_ASSOCIATIONS, transport, connection)`` and gets an object
speaking that Protocol, or ``Unsupported`` (``UNSUPPORTED_PROVIDER``) without any call. Each
CRM declares what it implements, its rules and its ``Support`` rows in
``providers/<crm>/support.py``: adding "mutation X on CRM Y" touches only that folder.
"""

from __future__ import annotations

from typing import Any, TypeVar, cast

from providers.base import HttpTransport
from providers.capabilities import Capability, InputRules, Support
from providers.domain import Connection, CrmProvider
from providers.errors import UnsupportedProvider
from providers.hubspot import oauth as hubspot_oauth
from providers.hubspot import support as hubspot
from providers.leadconnector import oauth as leadconnector_oauth
from providers.leadconnector import support as leadconnector
from providers.oauth.tokens import TokenEndpoint
from providers.salesforce import oauth as salesforce_oauth
from providers.salesforce import support as salesforce

C = TypeVar("C")

Unsupported = UnsupportedProvider  # the agreed name: a capability this provider does not have

_PROVIDERS = {
    CrmProvider.HUBSPOT: hubspot.PROVIDES,
    CrmProvider.SALESFORCE: salesforce.PROVIDES,
    CrmProvider.LEADCONNECTOR: leadconnector.PROVIDES,
}

# Each CRM's OAuth token endpoint, for refreshing access tokens (providers/oauth/).
TOKEN_ENDPOINTS: dict[CrmProvider, TokenEndpoint] = {
    CrmProvider.HUBSPOT: hubspot_oauth.TOKEN_ENDPOINT,
    CrmProvider.SALESFORCE: salesforce_oauth.TOKEN_ENDPOINT,
    CrmProvider.LEADCONNECTOR: leadconnector_oauth.TOKEN_ENDPOINT,
}


def implementation(
    capability: Capability[C], transport: HttpTransport, connection: Connection
) -> C:
    """The implementation of ``capability`` for this connection, or ``Unsupported``."""
    factory = _PROVIDERS[connection.provider].implementations.get(capability)
    if factory is None:
        supported = [p.name for p in CrmProvider if supports(p, capability)]
        raise Unsupported(
            f"{capability.mutation} works on {', '.join(supported) or 'no'} integrations; "
            f"this one is {connection.provider.name}",
            provider=connection.provider.value,
        )
    return cast(C, factory(transport, connection))


def supports(provider: CrmProvider, capability: Capability[Any]) -> bool:
    return capability in _PROVIDERS[provider].implementations


def rules(provider: CrmProvider) -> InputRules:
    """The provider's input rules (id formats, object types), checked before any call."""
    return _PROVIDERS[provider].rules


def repeatable_batch_create(provider: CrmProvider) -> bool:
    """Whether a batch create sent again writes nothing twice and answers success
    (``Provides``): an import then resends a window in flight at a crash; otherwise it reads
    the window back first."""
    return _PROVIDERS[provider].repeatable_batch_create


def support(provider: CrmProvider) -> list[Support]:
    """Every (operation, object pair) the provider supports and how: ``crmCapabilities``."""
    return list(_PROVIDERS[provider].rows)


__all__ = [
    "TOKEN_ENDPOINTS",
    "Unsupported",
    "implementation",
    "repeatable_batch_create",
    "rules",
    "support",
    "supports",
]
