"""The association mutations: where GraphQL input becomes provider calls."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from typing import Annotated, Any

import strawberry

from gql import validation as check
from gql.context import Info
from gql.errors import Code, bad_input
from gql.loaders import DefaultAssociationKey, UnifiedKey
from gql.resolvers.connect import capable
from gql.resolvers.idempotent import KEY_HELP, once
from gql.types.associations import (
    AssociationBatch,
    AssociationInput,
    DefaultAssociationBatch,
    ResponseFormat,
    UnifiedAssociation,
    UnifiedAssociationError,
    UnifiedAssociationInput,
    UnifiedAssociations,
    UnifiedRequestOptions,
)
from gql.types.common import IntegrationId, ObjectType, RecordId, RecordRef
from providers.capabilities import (
    BATCH_ASSOCIATIONS,
    DEFAULT_ASSOCIATIONS,
    UNIFIED_ASSOCIATIONS,
    BatchAssociations,
)
from providers.domain import (
    Batch,
    BatchError,
    BatchStatus,
    DefaultAssociation,
    Pair,
    TypedPair,
    UnifiedAssociationRequest,
    UnifiedAssociationResult,
    UnifiedEntity,
)
from providers.errors import BadInput

_EXCLUDABLE = {"associations", "remote_data", "errors"} | {
    f"associations.{e.value}" for e in UnifiedEntity
}


def _remote_query(value: Any) -> dict[str, str] | None:
    if value is None:
        return None
    if not isinstance(value, dict) or not all(
        isinstance(v, str | int | float | bool) and not isinstance(v, dict) for v in value.values()
    ):
        raise bad_input("remoteQuery must be an object of scalar values", field="remoteQuery")
    return {str(k): str(v).lower() if isinstance(v, bool) else str(v) for k, v in value.items()}


def _exclusions(fields: list[str] | None) -> set[str]:
    # Truto names fields in snake_case; accept the schema's camelCase too.
    names = {f.replace("remoteData", "remote_data") for f in fields or []}
    unknown = names - _EXCLUDABLE
    if unknown:
        raise bad_input(
            f"excludeFields names fields that cannot be excluded: {sorted(unknown)}",
            field="excludeFields",
            allowed=sorted(_EXCLUDABLE),
        )
    return names


def _unified_request(
    input: UnifiedAssociationInput, query: dict[str, str] | None
) -> UnifiedAssociationRequest:
    lists = {
        UnifiedEntity.ACCOUNTS: input.associations.accounts,
        UnifiedEntity.CONTACTS: input.associations.contacts,
        UnifiedEntity.LEADS: input.associations.leads,
        UnifiedEntity.OPPORTUNITIES: input.associations.opportunities,
    }
    associations = {k: tuple(str(r.id) for r in v) for k, v in lists.items() if v}
    if not associations:
        raise bad_input("associations lists no record", field="associations")
    total = sum(len(v) for v in associations.values())
    if total > 10_000:
        raise bad_input(f"associations lists {total} records; at most 10000", field="associations")
    if input.remote_data is not None and not isinstance(input.remote_data, dict):
        raise bad_input("remoteData must be an object", field="remoteData")
    return UnifiedAssociationRequest(
        entity_id=str(input.entity_id),
        entity=input.entity,
        associations=associations,
        remote_data=input.remote_data,
        remote_query=query,
    )


def _unified_answer(
    result: UnifiedAssociationResult, options: UnifiedRequestOptions
) -> UnifiedAssociation:
    excluded = _exclusions(options.exclude_fields)
    lists = {
        e.value: [RecordRef(id=strawberry.ID(i)) for i in ids]
        for e, ids in result.associations.items()
        if f"associations.{e.value}" not in excluded
    }
    remote: Any = None
    if options.response_format is ResponseFormat.RAW:
        remote = result.raw
    elif options.response_format is ResponseFormat.UNIFIED and not options.ignore_remote_data:
        remote = {"responses": result.raw}
    if "remote_data" in excluded:
        remote = None
    return UnifiedAssociation(
        entity_id=strawberry.ID(result.entity_id),
        entity=result.entity,
        associations=None if "associations" in excluded else UnifiedAssociations(**lists),
        remote_data=remote,
        errors=[]
        if "errors" in excluded
        else [
            UnifiedAssociationError(
                entity=e.entity,
                id=strawberry.ID(e.id),
                code=e.code,
                message=e.message,
                fields=list(e.fields),
            )
            for e in result.errors
        ],
    )


def _refused_input(exc: BadInput, index: int, from_id: str, to_id: str) -> BatchError:
    return BatchError(
        message=exc.message,
        category=Code.BAD_USER_INPUT.value,
        context={"field": [exc.field]},
        items=(Pair(_clipped(from_id), _clipped(to_id)),),
        input_index=index,
    )


def _clipped(value: str) -> str:
    # An answer never echoes megabytes of a caller's input back.
    return value if len(value) <= 80 else value[:80] + "..."


async def _with_refused(
    client: BatchAssociations,
    from_type: str,
    to_type: str,
    pairs: list[TypedPair],
    refused: list[BatchError],
) -> Batch[TypedPair]:
    """The provider's batch for the accepted inputs, plus the refused ones (no call at all
    when every input was refused)."""
    if not pairs:
        now = datetime.now(UTC)
        return Batch(BatchStatus.COMPLETE, [], refused, now, now)
    batch = await client.create_batch(from_type, to_type, pairs)
    return replace(batch, errors=[*refused, *batch.errors])


@strawberry.type
class AssociationMutations:
    @strawberry.mutation(
        description="Truto's unified association on any CRM: Salesforce lookups and junction "
        "rows (200 records a call), HubSpot default associations, HighLevel business, contactId "
        "and relations. crmCapabilities lists each pair and the calls it makes."
    )
    async def create_association(
        self,
        info: Info,
        integration_id: IntegrationId,
        input: Annotated[
            UnifiedAssociationInput,
            strawberry.argument(description="The record and what to associate it with."),
        ],
        options: Annotated[
            UnifiedRequestOptions | None,
            strawberry.argument(description="The answer's shape; UNIFIED when omitted."),
        ] = None,
        idempotency_key: Annotated[str | None, strawberry.argument(description=KEY_HELP)] = None,
    ) -> UnifiedAssociation:
        options = options or UnifiedRequestOptions()
        _exclusions(options.exclude_fields)
        request = _unified_request(input, _remote_query(options.remote_query))
        await capable(info, str(integration_id), UNIFIED_ASSOCIATIONS)
        # Through the loader: operations of one HTTP request share the provider's calls.
        key = UnifiedKey(str(integration_id), request)
        result = await once(
            info,
            idempotency_key,
            "createAssociation",
            (str(integration_id), request, options),
            UnifiedAssociationResult,
            lambda: info.context.loaders.unified_associations.load(key),
        )
        return _unified_answer(result, options)

    @strawberry.mutation(
        description="The standard link between two records: HubSpot's default association "
        "(alone, one PUT; sent with others in one HTTP request, one batch/associate/default "
        "call per 100 pairs), Salesforce's lookup or contact role, HighLevel's built-in "
        "association. crmCapabilities lists the pairs."
    )
    async def create_default_association(
        self,
        info: Info,
        integration_id: IntegrationId,
        from_object_type: ObjectType,
        from_object_id: RecordId,
        to_object_type: ObjectType,
        to_object_id: RecordId,
        idempotency_key: Annotated[str | None, strawberry.argument(description=KEY_HELP)] = None,
    ) -> DefaultAssociationBatch:
        _, _, rules = await capable(info, str(integration_id), DEFAULT_ASSOCIATIONS)
        args = (
            rules.object_type(from_object_type, "fromObjectType"),
            rules.object_type(to_object_type, "toObjectType"),
            rules.record_id(str(from_object_id), "fromObjectId"),
            rules.record_id(str(to_object_id), "toObjectId"),
        )
        # Through the loader: operations batched in one HTTP request become one provider batch
        # per chunk; a lone one stays the provider's single-pair call (HubSpot's PUT).
        key = DefaultAssociationKey(str(integration_id), *args)
        batch = await once(
            info,
            idempotency_key,
            "createDefaultAssociation",
            key,
            Batch[DefaultAssociation],
            lambda: info.context.loaders.default_associations.load(key),
        )
        return DefaultAssociationBatch.from_domain(batch)

    @strawberry.mutation(
        description="Many typed pairs in HubSpot's batch envelope, on any CRM, split into calls "
        "of the provider's limit (HubSpot v3 batch create: CRMGRAPH_HUBSPOT_V3_BATCH_LIMIT, "
        "100; Salesforce sObject Collections: 200). Each input is in results or in one error's "
        "items; a bad input fails that input only."
    )
    async def batch_create_associations(
        self,
        info: Info,
        integration_id: IntegrationId,
        from_object_type: ObjectType,
        to_object_type: ObjectType,
        inputs: Annotated[
            list[AssociationInput],
            strawberry.argument(
                description="The associations to create: 1 to CRMGRAPH_MAX_BATCH_INPUTS "
                "(10,000 by default); duplicate pairs are sent once."
            ),
        ],
        idempotency_key: Annotated[str | None, strawberry.argument(description=KEY_HELP)] = None,
    ) -> AssociationBatch:
        _, client, rules = await capable(info, str(integration_id), BATCH_ASSOCIATIONS)
        from_type = rules.object_type(from_object_type, "fromObjectType")
        to_type = rules.object_type(to_object_type, "toObjectType")
        check.batch_size(inputs, "inputs", info.context.settings.max_batch_inputs)
        # One bad input fails that input only: it is reported with its index, the others go.
        pairs: list[TypedPair] = []
        refused: list[BatchError] = []
        for n, i in enumerate(inputs):
            try:
                pairs.append(
                    TypedPair(
                        rules.record_id(str(i.from_.id), f"inputs[{n}].from.id"),
                        rules.record_id(str(i.to.id), f"inputs[{n}].to.id"),
                        rules.association_type(i.type, f"inputs[{n}].type"),
                    )
                )
            except BadInput as exc:
                refused.append(_refused_input(exc, n, str(i.from_.id), str(i.to.id)))
        batch = await once(
            info,
            idempotency_key,
            "batchCreateAssociations",
            (str(integration_id), from_type, to_type, pairs),
            Batch[TypedPair],
            lambda: _with_refused(client, from_type, to_type, pairs, refused),
        )
        return AssociationBatch.from_domain(batch)
