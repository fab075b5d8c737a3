"""HighLevel relations."""

from __future__ import annotations

from typing import Annotated

import strawberry

from gql import validation as check
from gql.context import Info
from gql.resolvers.connect import client_for
from gql.resolvers.idempotent import KEY_HELP, once
from gql.types.common import IntegrationId
from gql.types.relations import CreateRelationInput, Relation
from providers.domain import Relation as DomainRelation
from providers.domain import RelationRequest
from providers.leadconnector.client import LeadConnectorClient


@strawberry.type
class RelationMutations:
    @strawberry.mutation(
        description="HighLevel: relate two records through an association. The same relation "
        "twice answers ALREADY_EXISTS; never retried after an ambiguous failure."
    )
    async def create_relation(
        self,
        info: Info,
        integration_id: IntegrationId,
        input: Annotated[
            CreateRelationInput, strawberry.argument(description="The relation to create.")
        ],
        idempotency_key: Annotated[str | None, strawberry.argument(description=KEY_HELP)] = None,
    ) -> Relation:
        request = RelationRequest(
            location_id=check.leadconnector_id(input.location_id, "locationId"),
            association_id=check.leadconnector_id(input.association_id, "associationId"),
            first_record_id=check.leadconnector_id(input.first_record_id, "firstRecordId"),
            second_record_id=check.leadconnector_id(input.second_record_id, "secondRecordId"),
        )
        client = await client_for(info, str(integration_id), LeadConnectorClient, "createRelation")
        relation = await once(
            info,
            idempotency_key,
            "createRelation",
            (str(integration_id), request),
            DomainRelation,
            lambda: client.create_relation(request),
        )
        return Relation.from_domain(relation)
