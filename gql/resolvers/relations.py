"""HighLevel relations."""

from __future__ import annotations

from typing import Annotated

import strawberry

from gql.context import Info
from gql.resolvers.connect import capable
from gql.resolvers.idempotent import KEY_HELP, once
from gql.types.common import IntegrationId
from gql.types.relations import CreateRelationInput, Relation
from providers.capabilities import RELATIONS
from providers.domain import Relation as DomainRelation
from providers.domain import RelationRequest


@strawberry.type
class RelationMutations:
    @strawberry.mutation(
        description="Relate two records through a named association (an id associationLabels "
        "gives): a HighLevel relation, a HubSpot labelled association, a Salesforce junction "
        "row. HighLevel answers ALREADY_EXISTS for the same relation twice."
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
        _, client, rules = await capable(info, str(integration_id), RELATIONS)
        request = RelationRequest(
            association_id=rules.association_type(input.association_id, "associationId"),
            first_record_id=rules.record_id(input.first_record_id, "firstRecordId"),
            second_record_id=rules.record_id(input.second_record_id, "secondRecordId"),
            location_id=None
            if input.location_id is None
            else rules.record_id(input.location_id, "locationId"),
            role=input.role,
        )
        relation = await once(
            info,
            idempotency_key,
            "createRelation",
            (str(integration_id), request),
            DomainRelation,
            lambda: client.create_relation(request),
        )
        return Relation.from_domain(relation)
