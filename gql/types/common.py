"""Scalars, enums and argument types shared by the schema's types."""

from __future__ import annotations

import enum
from typing import Annotated

import strawberry
from strawberry.scalars import JSON

from providers import domain

# The domain enums are the GraphQL enums: registered in place, so resolvers pass them as they are.
CrmProvider = domain.CrmProvider
UnifiedEntity = domain.UnifiedEntity
BatchStatus = domain.BatchStatus

# providers/ never imports strawberry, so the docs-pane text of each value is kept here.
_ENUMS: dict[type[enum.Enum], tuple[str, dict[str, str]]] = {
    CrmProvider: (
        "The CRM an integration connects to.",
        {
            "HUBSPOT": "HubSpot CRM (api.hubapi.com), with a private-app or OAuth token.",
            "SALESFORCE": "Salesforce, through the org's instanceUrl and an OAuth token.",
            "LEADCONNECTOR": "HighLevel (LeadConnector API), for one location (sub-account).",
        },
    ),
    UnifiedEntity: (
        "The Salesforce object kinds of Truto's unified association.",
        {
            "ACCOUNTS": "Salesforce Account records (ids start with 001).",
            "OPPORTUNITIES": "Salesforce Opportunity records (ids start with 006).",
            "CONTACTS": "Salesforce Contact records (ids start with 003).",
            "LEADS": "Salesforce Lead records (ids start with 00Q): they relate to nothing "
            "before conversion.",
        },
    ),
    BatchStatus: (
        "HubSpot's status of a batch call; crmgraph answers once the batch is COMPLETE.",
        {
            "PENDING": "Accepted by HubSpot, not started.",
            "PROCESSING": "Started, not finished.",
            "CANCELED": "Stopped before it finished.",
            "COMPLETE": "Every input has its result or its error.",
        },
    ),
}
for _enum, (_description, _values) in _ENUMS.items():
    strawberry.enum(_enum, description=_description)
    for _value in _enum.__strawberry_definition__.values:  # type: ignore[attr-defined]
        _value.description = _values[_value.name]

__all__ = [
    "JSON",
    "BatchStatus",
    "CrmProvider",
    "HubSpotObjectType",
    "HubSpotRecordId",
    "IntegrationId",
    "UnifiedEntity",
]

IntegrationId = Annotated[
    strawberry.ID,
    strawberry.argument(
        description="The id of one of the caller's integrations (createCrmIntegration answers "
        "it); another tenant's id is NOT_FOUND."
    ),
]


@strawberry.input(description="A record, by its id in the CRM.")
class RecordRefInput:
    id: strawberry.ID = strawberry.field(
        description="The record's id in the CRM: HubSpot digits, a Salesforce 15 or 18 "
        "character id, or a HighLevel id."
    )


@strawberry.type(description="A record, by its id in the CRM.")
class RecordRef:
    id: strawberry.ID = strawberry.field(description="The record's id in the CRM.")


HubSpotObjectType = Annotated[
    str,
    strawberry.argument(
        description="A HubSpot object type: contacts, companies, deals, tickets, or a custom "
        "object's type id such as 2-123456 (letters, digits, _ and -; at most 64 characters)."
    ),
]
HubSpotRecordId = Annotated[
    strawberry.ID,
    strawberry.argument(description="A HubSpot record id: 1 to 20 digits."),
]
