"""Scalars and enums shared by the schema's types."""

from __future__ import annotations

import enum

import strawberry
from strawberry.scalars import JSON

from providers import domain

# The domain enums are the GraphQL enums: registered in place, so resolvers pass them as they are.
CrmProvider = domain.CrmProvider
UnifiedEntity = domain.UnifiedEntity
BatchStatus = domain.BatchStatus
for _enum in (CrmProvider, UnifiedEntity, BatchStatus):
    strawberry.enum(_enum)


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


__all__ = ["JSON", "AuthStatus", "BatchStatus", "CrmProvider", "UnifiedEntity"]


@strawberry.input(description="A record, by its id in the CRM.")
class RecordRefInput:
    id: strawberry.ID


@strawberry.type(description="A record, by its id in the CRM.")
class RecordRef:
    id: strawberry.ID
