"""Association types: HubSpot's batch envelope, typed (every provider answers in it), and
Truto's unified association."""

from __future__ import annotations

import enum
from datetime import datetime

import strawberry

from gql.types.common import JSON, BatchStatus, RecordRef, RecordRefInput, UnifiedEntity
from providers import domain


@strawberry.type(
    description="An association type: who defined it and its numeric id (HubSpot's model; "
    "other providers report their closest equivalent)."
)
class AssociationSpec:
    association_category: str = strawberry.field(
        description="HUBSPOT_DEFINED, USER_DEFINED or INTEGRATOR_DEFINED."
    )
    association_type_id: int = strawberry.field(
        description="HubSpot's numeric association type id (contact to company default: 279)."
    )


@strawberry.type(
    description="The standard link made between two records (HubSpot: its default type; "
    "Salesforce: the relationship in associationCategory; HighLevel: SYSTEM_DEFINED)."
)
class DefaultAssociation:
    from_: RecordRef = strawberry.field(name="from", description="The record associated from.")
    to: RecordRef = strawberry.field(description="The record associated to.")
    association_spec: AssociationSpec = strawberry.field(
        description="The association type used (the provider's default for the two types)."
    )

    @classmethod
    def from_domain(cls, a: domain.DefaultAssociation) -> DefaultAssociation:
        return cls(
            from_=RecordRef(id=strawberry.ID(a.from_id)),
            to=RecordRef(id=strawberry.ID(a.to_id)),
            association_spec=AssociationSpec(
                association_category=a.spec.category, association_type_id=a.spec.type_id
            ),
        )


@strawberry.type(description="A created association: two records and the type name.")
class TypedAssociation:
    from_: RecordRef = strawberry.field(name="from", description="The record associated from.")
    to: RecordRef = strawberry.field(description="The record associated to.")
    type: str = strawberry.field(
        description="The v3 association type, as given in the input (contact_to_company, ...)."
    )

    @classmethod
    def from_domain(cls, a: domain.TypedPair) -> TypedAssociation:
        return cls(
            from_=RecordRef(id=strawberry.ID(a.from_id)),
            to=RecordRef(id=strawberry.ID(a.to_id)),
            type=a.type,
        )


@strawberry.type(description="A pair of record ids an error is about.")
class AssociationPair:
    from_: RecordRef = strawberry.field(name="from", description="The input's from record.")
    to: RecordRef = strawberry.field(description="The input's to record.")


@strawberry.type(description="A detail of a batch error, as the provider sent it.")
class ErrorDetail:
    message: str = strawberry.field(description="The provider's text for this detail.")
    code: str | None = strawberry.field(description="The provider's code for it, if any.")
    in_: str | None = strawberry.field(
        name="in", description="The input field the detail is about, if one was named."
    )
    sub_category: str | None = strawberry.field(description="HubSpot's finer category.")
    context: JSON = strawberry.field(description="The provider's context object, as sent.")


@strawberry.type(description="One failure in a batch, with the inputs it concerns in `items`.")
class BatchError:
    status: str = strawberry.field(description='Always "error".')
    category: str | None = strawberry.field(
        description="The error category: HubSpot's (OBJECT_NOT_FOUND, VALIDATION_ERROR, "
        "CONFLICT, ...), the other providers' codes mapped to it, or crmgraph's "
        "(BAD_USER_INPUT, or the error code when the call itself failed)."
    )
    sub_category: str | None = strawberry.field(description="HubSpot's finer category.")
    id: str | None = strawberry.field(description="The provider's error id, if it sent one.")
    message: str = strawberry.field(description="What went wrong, in the provider's words.")
    context: JSON = strawberry.field(
        description="The ids concerned, HubSpot style (fromObjectId, toObjectId, ...)."
    )
    errors: list[ErrorDetail] = strawberry.field(description="The provider's detailed errors.")
    links: JSON = strawberry.field(description="The provider's documentation links, if any.")
    items: list[AssociationPair] = strawberry.field(
        description="Every input this error concerns: each input of the batch is either in "
        "results or in one error's items."
    )
    request_id: str | None = strawberry.field(
        description="The provider's request id (HubSpot's X-HubSpot-Correlation-Id, "
        "Salesforce's Sforce-Call-Id, ...), for its support."
    )
    input_index: int | None = strawberry.field(
        description="An input refused before any call (category BAD_USER_INPUT): its index in "
        "inputs."
    )

    @classmethod
    def from_domain(cls, e: domain.BatchError) -> BatchError:
        return cls(
            status=e.status,
            category=e.category,
            sub_category=e.sub_category,
            id=e.id,
            message=e.message,
            context=JSON(e.context),
            errors=[
                ErrorDetail(
                    message=d.message,
                    code=d.code,
                    in_=d.in_,
                    sub_category=d.sub_category,
                    context=JSON(d.context),
                )
                for d in e.errors
            ],
            links=JSON(e.links),
            items=[
                AssociationPair(
                    from_=RecordRef(id=strawberry.ID(p.from_id)),
                    to=RecordRef(id=strawberry.ID(p.to_id)),
                )
                for p in e.items
            ],
            request_id=e.request_id,
            input_index=e.input_index,
        )


def _envelope(batch: domain.Batch[object]) -> dict[str, object]:
    return {
        "status": batch.status,
        "num_errors": batch.num_errors,
        "errors": [BatchError.from_domain(e) for e in batch.errors],
        "requested_at": batch.requested_at,
        "started_at": batch.started_at,
        "completed_at": batch.completed_at,
        "links": JSON(batch.links),
    }


@strawberry.type
class _BatchEnvelope:
    """HubSpot's batch envelope: the fields both batch responses share."""

    status: BatchStatus = strawberry.field(description="The batch's status.")
    num_errors: int = strawberry.field(description="How many entries errors has.")
    errors: list[BatchError] = strawberry.field(
        description="The inputs that failed, grouped by reason, each with its items."
    )
    requested_at: datetime | None = strawberry.field(
        description="When the provider received the request, if it said (UTC)."
    )
    started_at: datetime = strawberry.field(
        description="When the first upstream call started (UTC)."
    )
    completed_at: datetime = strawberry.field(
        description="When the last upstream call finished (UTC)."
    )
    links: JSON = strawberry.field(description="The provider's links, if any.")


@strawberry.type(description="The batch response for default associations (HubSpot's shape).")
class DefaultAssociationBatch(_BatchEnvelope):
    results: list[DefaultAssociation] = strawberry.field(
        description="The links made (HubSpot answers both directions)."
    )

    @classmethod
    def from_domain(cls, b: domain.Batch[domain.DefaultAssociation]) -> DefaultAssociationBatch:
        results = [DefaultAssociation.from_domain(r) for r in b.results]
        return cls(results=results, **_envelope(b))  # type: ignore[arg-type]


@strawberry.type(
    description="The batch response (HubSpot's v3 shape, any CRM): one entry per input, in order."
)
class AssociationBatch(_BatchEnvelope):
    results: list[TypedAssociation] = strawberry.field(
        description="The associations made, in input order, duplicates sent once."
    )

    @classmethod
    def from_domain(cls, b: domain.Batch[domain.TypedPair]) -> AssociationBatch:
        results = [TypedAssociation.from_domain(r) for r in b.results]
        return cls(results=results, **_envelope(b))  # type: ignore[arg-type]


@strawberry.input(description="One association for batchCreateAssociations.")
class AssociationInput:
    from_: RecordRefInput = strawberry.field(
        name="from", description="The record of fromObjectType, by its id in the CRM."
    )
    to: RecordRefInput = strawberry.field(
        description="The record of toObjectType, by its id in the CRM."
    )
    type: str = strawberry.field(
        description="The v3 association type: a name such as contact_to_company (lower case, "
        "digits, _; at most 100 characters) or a numeric type id."
    )


# --- Unified (Truto) ---------------------------------------------------------------------


@strawberry.enum(description="How much of the provider's own answer remoteData carries.")
class ResponseFormat(enum.Enum):
    UNIFIED = strawberry.enum_value(
        "unified",
        description='Truto\'s shape: remoteData is {"responses": [...]} holding the '
        "provider's replies (unless ignoreRemoteData).",
    )
    RAW = strawberry.enum_value(
        "raw",
        description="remoteData is the provider's replies (Salesforce SaveResults), as sent.",
    )
    NORMALIZED = strawberry.enum_value(
        "normalized", description="No remoteData: only the unified fields."
    )


@strawberry.input(description="Truto's request options for createAssociation.")
class UnifiedRequestOptions:
    response_format: ResponseFormat | None = strawberry.field(
        default=ResponseFormat.UNIFIED, description="The answer's shape; UNIFIED by default."
    )
    ignore_remote_data: bool | None = strawberry.field(
        default=None, description="With UNIFIED: leave remoteData out."
    )
    exclude_fields: list[str] | None = strawberry.field(
        default=None,
        description="Fields to leave out of the answer: associations, associations.<entity>, "
        "remote_data, errors. Any other name is BAD_USER_INPUT.",
    )
    remote_query: JSON | None = strawberry.field(
        default=None, description="Query parameters passed to the provider untouched."
    )


@strawberry.input(
    description="The records to associate with the entity, by kind; at most 10,000 in all. "
    "Which pairs each provider can express: crmCapabilities."
)
class UnifiedAssociationsInput:
    accounts: list[RecordRefInput] | None = strawberry.field(
        default=None, description="Accounts (HubSpot companies, HighLevel businesses), by id."
    )
    contacts: list[RecordRefInput] | None = strawberry.field(
        default=None, description="Contacts, by id."
    )
    leads: list[RecordRefInput] | None = strawberry.field(
        default=None,
        description="Leads, by id (HubSpot leads; Salesforce leads answer "
        "UNSUPPORTED_ASSOCIATION).",
    )
    opportunities: list[RecordRefInput] | None = strawberry.field(
        default=None, description="Opportunities (HubSpot deals), by id."
    )


@strawberry.input(description="Truto's unified association request.")
class UnifiedAssociationInput:
    entity_id: strawberry.ID = strawberry.field(
        description="The id of the record to associate from, in its provider's form."
    )
    entity: UnifiedEntity = strawberry.field(description="The kind of record entityId is.")
    associations: UnifiedAssociationsInput = strawberry.field(
        description="The records to associate it with."
    )
    remote_data: JSON | None = strawberry.field(
        default=None, description="Fields passed as they are on every record written."
    )


@strawberry.type(description="The records now associated with the entity, by kind.")
class UnifiedAssociations:
    accounts: list[RecordRef] | None = strawberry.field(
        default=None, description="Accounts associated (null when none were asked for)."
    )
    contacts: list[RecordRef] | None = strawberry.field(
        default=None, description="Contacts associated (null when none were asked for)."
    )
    leads: list[RecordRef] | None = strawberry.field(
        default=None, description="Leads associated (null when none were asked for)."
    )
    opportunities: list[RecordRef] | None = strawberry.field(
        default=None, description="Opportunities associated (null when none were asked for)."
    )


@strawberry.type(description="An associated record the provider refused, and why.")
class UnifiedAssociationError:
    entity: UnifiedEntity = strawberry.field(description="The kind of the refused record.")
    id: strawberry.ID = strawberry.field(description="The refused record's id.")
    code: str = strawberry.field(
        description="The provider's code (Salesforce's statusCode such as "
        "INVALID_CROSS_REFERENCE_KEY, ...) or crmgraph's "
        "code (UNSUPPORTED_ASSOCIATION)."
    )
    message: str = strawberry.field(description="Why, in the provider's words.")
    fields: list[str] = strawberry.field(description="The provider's fields concerned, if any.")


@strawberry.type(description="Truto's unified association response.")
class UnifiedAssociation:
    entity_id: strawberry.ID = strawberry.field(description="The entity's id, as given.")
    entity: UnifiedEntity = strawberry.field(description="The entity's kind, as given.")
    associations: UnifiedAssociations | None = strawberry.field(
        description="What was associated (null when excludeFields names associations)."
    )
    remote_data: JSON | None = strawberry.field(
        description="The provider's own answer, as responseFormat asks."
    )
    errors: list[UnifiedAssociationError] = strawberry.field(
        description="The records the provider refused, each with its reason; the others were "
        "written."
    )
