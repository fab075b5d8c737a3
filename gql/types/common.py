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
        "The record kinds of Truto's unified association, and each provider's object.",
        {
            "ACCOUNTS": "Salesforce Account (ids start with 001), HubSpot companies, HighLevel "
            "businesses.",
            "OPPORTUNITIES": "Salesforce Opportunity (006...), HubSpot deals, HighLevel "
            "opportunities.",
            "CONTACTS": "Salesforce Contact (003...), HubSpot and HighLevel contacts.",
            "LEADS": "HubSpot leads (0-136); Salesforce Lead (00Q...), which relates to nothing "
            "before conversion.",
        },
    ),
    BatchStatus: (
        "A batch's status (HubSpot's values, on every provider); crmgraph answers once it "
        "is COMPLETE.",
        {
            "PENDING": "Accepted, not started.",
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
    "AuthStatus",
    "BatchStatus",
    "CrmProvider",
    "IntegrationId",
    "ObjectType",
    "RecordId",
    "UnifiedEntity",
]

IntegrationId = Annotated[
    strawberry.ID,
    strawberry.argument(
        description="The id of one of the caller's integrations (createCrmIntegration answers "
        "it); another tenant's id is NOT_FOUND."
    ),
]


@strawberry.enum(
    description="Whether an integration's stored credentials still work, as far as crmgraph knows."
)
class AuthStatus(enum.Enum):
    OK = strawberry.enum_value(
        "OK",
        description="In use; expiring OAuth tokens are refreshed when a refresh token is stored.",
    )
    REAUTHORIZATION_REQUIRED = strawberry.enum_value(
        "REAUTHORIZATION_REQUIRED",
        description="The provider refused the refresh token for good (revoked, expired, "
        "invalid client): calls answer REAUTHORIZATION_REQUIRED without reaching it until "
        "updateCrmIntegration stores new credentials.",
    )


@strawberry.input(description="A record, by its id in the CRM.")
class RecordRefInput:
    id: strawberry.ID = strawberry.field(
        description="The record's id in the CRM, in its provider's form: HubSpot digits, a "
        "Salesforce 15 or 18 character id, or a HighLevel id."
    )


@strawberry.type(description="A record, by its id in the CRM.")
class RecordRef:
    id: strawberry.ID = strawberry.field(description="The record's id in the CRM.")


OBJECT_TYPE_HELP = (
    "An object type, in its provider's naming: HubSpot contacts, companies, deals, tickets, "
    "leads or a custom object's type id (2-123456); Salesforce accounts, contacts, "
    "opportunities or leads; HighLevel an object key (contact, custom_objects.students, ...)."
)
RECORD_ID_HELP = (
    "A record's id, in its provider's form: HubSpot 1 to 20 digits, a Salesforce 15 or 18 "
    "character id, a HighLevel id (letters, digits, _ . -)."
)
ObjectType = Annotated[str, strawberry.argument(description=OBJECT_TYPE_HELP)]
RecordId = Annotated[strawberry.ID, strawberry.argument(description=RECORD_ID_HELP)]
