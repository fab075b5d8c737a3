"""The read side: records, their associations (through the loaders) and association labels."""

from __future__ import annotations

import strawberry

from gql import validation as check
from gql.context import Info
from gql.resolvers.connect import readable
from gql.types.records import AssociationLabel, CrmRecord
from providers.capabilities import LABELS


@strawberry.type
class RecordQueries:
    @strawberry.field(description="A CRM record; its associations are read on demand.")
    async def crm_record(
        self, info: Info, integration_id: strawberry.ID, object_type: str, id: strawberry.ID
    ) -> CrmRecord:
        check.object_type(object_type, "objectType")
        await readable(info, str(integration_id), object_type, str(id), object_type)
        return CrmRecord(integration_id=integration_id, object_type=object_type, id=id)

    @strawberry.field(
        description="Association types between two object types: HubSpot labels, the "
        "HighLevel association definitions of the integration's location, or the Salesforce "
        "junction objects. Their ids are the associationId values createRelation accepts."
    )
    async def association_labels(
        self, info: Info, integration_id: strawberry.ID, from_object_type: str, to_object_type: str
    ) -> list[AssociationLabel]:
        found = await readable(info, str(integration_id), from_object_type, None, to_object_type)
        labels = info.context.loaders.implementation(LABELS, found)
        found_labels = await labels.labels(from_object_type, to_object_type)
        return [AssociationLabel.from_domain(label) for label in found_labels]
