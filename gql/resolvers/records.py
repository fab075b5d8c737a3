"""The read side: records, their associations (through the loaders) and association labels."""

from __future__ import annotations

from typing import Annotated

import strawberry

from gql import validation as check
from gql.context import Info
from gql.resolvers.connect import readable
from gql.types.common import IntegrationId
from gql.types.records import OBJECT_TYPE_HELP, AssociationLabel, CrmRecord
from providers.hubspot.client import HubSpotClient
from providers.leadconnector.client import LeadConnectorClient

ObjectType = Annotated[str, strawberry.argument(description=OBJECT_TYPE_HELP)]
RecordId = Annotated[
    strawberry.ID,
    strawberry.argument(
        description="The record's id in the CRM, in its provider's form: HubSpot 1 to 20 "
        "digits, a Salesforce 15 or 18 character id, a HighLevel id (1 to 64 letters, digits, "
        "_ . -)."
    ),
]


@strawberry.type
class RecordQueries:
    @strawberry.field(description="A CRM record; its associations are read on demand.")
    async def crm_record(
        self, info: Info, integration_id: IntegrationId, object_type: ObjectType, id: RecordId
    ) -> CrmRecord:
        check.object_type(object_type, "objectType")
        await readable(info, str(integration_id), object_type, str(id), object_type)
        return CrmRecord(integration_id=integration_id, object_type=object_type, id=id)

    @strawberry.field(
        description="Association types between two object types: HubSpot v4 labels, or the "
        "HighLevel association definitions of the integration's location."
    )
    async def association_labels(
        self,
        info: Info,
        integration_id: IntegrationId,
        from_object_type: ObjectType,
        to_object_type: Annotated[
            str, strawberry.argument(description="The other object type, in the same naming.")
        ],
    ) -> list[AssociationLabel]:
        found = await readable(info, str(integration_id), from_object_type, None, to_object_type)
        client = info.context.loaders.client(found)
        if isinstance(client, HubSpotClient):
            labels = await client.labels(from_object_type, to_object_type)
        elif isinstance(client, LeadConnectorClient):
            definitions = await client.association_definitions(found[0].location_id or "")
            wanted = {from_object_type, to_object_type}
            labels = [d for d in definitions if {d.from_object, d.to_object} == wanted]
        else:
            # Salesforce relationships are fixed fields, not labelled types.
            labels = []
        return [AssociationLabel.from_domain(label) for label in labels]
