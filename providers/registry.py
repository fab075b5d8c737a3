"""Which client, and which OAuth token endpoint, speaks for which CRM."""

from __future__ import annotations

from providers.base import ProviderClient
from providers.domain import CrmProvider
from providers.hubspot import oauth as hubspot_oauth
from providers.hubspot.client import HubSpotClient
from providers.leadconnector import oauth as leadconnector_oauth
from providers.leadconnector.client import LeadConnectorClient
from providers.oauth.tokens import TokenEndpoint
from providers.salesforce import oauth as salesforce_oauth
from providers.salesforce.client import SalesforceClient

CLIENTS: dict[CrmProvider, type[ProviderClient]] = {
    CrmProvider.HUBSPOT: HubSpotClient,
    CrmProvider.SALESFORCE: SalesforceClient,
    CrmProvider.LEADCONNECTOR: LeadConnectorClient,
}

TOKEN_ENDPOINTS: dict[CrmProvider, TokenEndpoint] = {
    CrmProvider.HUBSPOT: hubspot_oauth.TOKEN_ENDPOINT,
    CrmProvider.SALESFORCE: salesforce_oauth.TOKEN_ENDPOINT,
    CrmProvider.LEADCONNECTOR: leadconnector_oauth.TOKEN_ENDPOINT,
}
