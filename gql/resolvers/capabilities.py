"""``crmCapabilities``: what each CRM supports and how, from the registry (no call, no auth
needed beyond the API key). The README's matrix is printed from the same rows
(``crmgraph capabilities --markdown``) and a test keeps the two equal."""

from __future__ import annotations

from typing import Annotated

import strawberry

from gql.types.common import CrmProvider
from providers import registry


@strawberry.type(description="One operation a CRM supports on an object pair, and how.")
class CrmCapability:
    operation: str = strawberry.field(
        description="The GraphQL field: createAssociation, createDefaultAssociation, "
        "batchCreateAssociations, createRelation, associations, crmRecords or "
        "associationLabels."
    )
    from_object_type: str = strawberry.field(
        description="The object type (or unified entity) it starts from; any: every type."
    )
    to_object_type: str = strawberry.field(
        description="The object type (or unified entity) it reaches; any: every type."
    )
    how: str = strawberry.field(description="The provider calls that carry it out.")


def capabilities(provider: CrmProvider) -> list[CrmCapability]:
    return [
        CrmCapability(
            operation=row.operation,
            from_object_type=row.from_object,
            to_object_type=row.to_object,
            how=row.how,
        )
        for row in registry.support(provider)
    ]


def markdown() -> str:
    """The README's matrix: one table, every provider's rows in registry order."""
    lines = [
        "| operation | provider | from | to | how |",
        "|---|---|---|---|---|",
    ]
    order = [
        "createAssociation",
        "createDefaultAssociation",
        "batchCreateAssociations",
        "createRelation",
        "associations",
        "crmRecords",
        "associationLabels",
    ]
    rows = sorted(
        ((p, row) for p in CrmProvider for row in registry.support(p)),
        key=lambda pr: order.index(pr[1].operation),
    )
    for provider, row in rows:
        cells = (f"`{row.operation}`", provider.name, row.from_object, row.to_object, row.how)
        lines.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
    return "\n".join(lines) + "\n"


@strawberry.type
class CapabilityQueries:
    @strawberry.field(
        description="Each operation and object pair a CRM supports, and how it is carried out."
    )
    def crm_capabilities(
        self,
        provider: Annotated[CrmProvider, strawberry.argument(description="The CRM to describe.")],
    ) -> list[CrmCapability]:
        return capabilities(provider)
