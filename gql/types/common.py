"""Scalars and enums shared by the schema's types."""

from __future__ import annotations

import strawberry
from strawberry.scalars import JSON

from providers import domain

# The domain enums are the GraphQL enums: registered in place, so resolvers pass them as they are.
CrmProvider = domain.CrmProvider
UnifiedEntity = domain.UnifiedEntity
BatchStatus = domain.BatchStatus
for _enum in (CrmProvider, UnifiedEntity, BatchStatus):
    strawberry.enum(_enum)

__all__ = ["JSON", "BatchStatus", "CrmProvider", "UnifiedEntity"]


@strawberry.input(description="A record, by its id in the CRM.")
class RecordRefInput:
    id: strawberry.ID


@strawberry.type(description="A record, by its id in the CRM.")
class RecordRef:
    id: strawberry.ID
