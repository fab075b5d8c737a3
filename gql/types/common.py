"""Scalars and enums shared by the schema's types."""

from __future__ import annotations

import strawberry
from strawberry.scalars import JSON

from providers import domain

CrmProvider = strawberry.enum(domain.CrmProvider, name="CrmProvider")
UnifiedEntity = strawberry.enum(domain.UnifiedEntity, name="UnifiedEntity")
BatchStatus = strawberry.enum(domain.BatchStatus, name="BatchStatus")

__all__ = ["JSON", "BatchStatus", "CrmProvider", "UnifiedEntity"]


@strawberry.input(description="A record, by its id in the CRM.")
class RecordRefInput:
    id: strawberry.ID


@strawberry.type(description="A record, by its id in the CRM.")
class RecordRef:
    id: strawberry.ID
