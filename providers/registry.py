"""Which client speaks for which CRM."""

from __future__ import annotations

from providers.base import ProviderClient
from providers.domain import CrmProvider
from providers.hubspot.client import HubSpotClient
from providers.leadconnector.client import LeadConnectorClient
from providers.salesforce.client import SalesforceClient

CLIENTS: dict[CrmProvider, type[ProviderClient]] = {
    CrmProvider.HUBSPOT: HubSpotClient,
    CrmProvider.SALESFORCE: SalesforceClient,
    CrmProvider.LEADCONNECTOR: LeadConnectorClient,
}
