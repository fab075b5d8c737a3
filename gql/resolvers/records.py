"""The read side: records, their associations (through the loaders) and association labels."""

from __future__ import annotations

import asyncio
from typing import Annotated, Any, cast

import strawberry
from strawberry.types.nodes import SelectedField

from gql import validation as check
from gql.context import Info
from gql.errors import ApiError, bad_input
from gql.loaders import RecordKey
from gql.resolvers.connect import readable
from gql.types.common import IntegrationId, ObjectType, RecordId
from gql.types.records import AssociationLabel, CrmRecord
from providers.capabilities import LABELS
from providers.errors import ProviderError


async def _association_targets(
    info: Info, integration_id: str, object_type: str
) -> tuple[str, ...]:
    """The toObjectType of each ``associations`` field selected on the records (fragments
    included), when it is one the provider accepts: the reads that will vouch for them."""
    wanted: set[str] = set()
    pending: list[Any] = list(info.selected_fields)
    while pending:
        for selection in pending.pop().selections:
            if not isinstance(selection, SelectedField):
                pending.append(selection)  # a fragment: its fields are at this level
            elif selection.name == "associations":
                to_type = selection.arguments.get("toObjectType")
                if isinstance(to_type, str):
                    wanted.add(to_type)
    valid = []
    for to_type in sorted(wanted):
        try:
            await readable(info, integration_id, object_type, None, to_type)
        except (ApiError, ProviderError):
            continue  # the associations field itself reports it, without a call
        valid.append(to_type)
    return tuple(valid)


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
        description="Many records of one object type at once, in the order of ids, null for "
        "an id the CRM does not know: the list field a stitching gateway's "
        "batchDelegateToSchema calls. Existence costs no call of its own for a record whose "
        "selected associations are found (HubSpot: one v4 batch read per 1,000 ids); the "
        "others are looked up (HubSpot objects batch read, 100 ids a call; Salesforce SOQL, "
        "200 a query). HighLevel cannot tell an unknown id from an unrelated record: every "
        "well-formed id answers a record. A malformed id fails its own item only."
    )
    async def crm_records(
        self,
        info: Info,
        integration_id: IntegrationId,
        object_type: ObjectType,
        ids: Annotated[
            list[strawberry.ID],
            strawberry.argument(
                description="The records' ids, in the provider's form (as crmRecord's id); "
                "at most CRMGRAPH_MAX_BATCH_INPUTS (10,000 by default). Repeats are allowed "
                "and answered at each place."
            ),
        ],
    ) -> list[CrmRecord | None]:
        check.object_type(object_type, "objectType")
        limit = info.context.settings.max_batch_inputs
        if len(ids) > limit:
            raise bad_input(f"ids lists {len(ids)} records; at most {limit}", field="ids")
        iid = str(integration_id)
        await readable(info, iid, object_type, None, object_type)
        to_types = await _association_targets(info, iid, object_type)

        async def one(record_id: str) -> CrmRecord | Exception | None:
            try:
                await readable(info, iid, object_type, record_id, object_type)
                key = RecordKey(iid, object_type, record_id, to_types)
                if not await info.context.loaders.records.load(key):
                    return None
            except (ApiError, ProviderError) as exc:
                return exc
            return CrmRecord(
                integration_id=integration_id, object_type=object_type, id=strawberry.ID(record_id)
            )

        answers = await asyncio.gather(*(one(str(i)) for i in ids))
        # graphql-core raises an exception found in a list at that item's path only: the
        # item is null with its error, and the others stand.
        return cast("list[CrmRecord | None]", answers)

    @strawberry.field(
        description="Association types between two object types: HubSpot v4 labels, the "
        "HighLevel association definitions of the integration's location, or the Salesforce "
        "junction objects. Their ids are the associationId values createRelation accepts."
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
        labels = info.context.loaders.implementation(LABELS, found)
        found_labels = await labels.labels(from_object_type, to_object_type)
        return [AssociationLabel.from_domain(label) for label in found_labels]
