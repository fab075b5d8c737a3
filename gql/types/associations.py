"""Association types: HubSpot's batch envelope, typed, and Truto's unified association."""

from __future__ import annotations

import enum
from datetime import datetime

import strawberry

from gql.types.common import JSON, BatchStatus, RecordRef, RecordRefInput, UnifiedEntity
from providers import domain


@strawberry.type
class AssociationSpec:
    association_category: str
    association_type_id: int


@strawberry.type(
    description="The standard link made between two records (HubSpot: its default type; "
    "Salesforce: the relationship in associationCategory; HighLevel: SYSTEM_DEFINED)."
)
class DefaultAssociation:
    from_: RecordRef = strawberry.field(name="from")
    to: RecordRef
    association_spec: AssociationSpec

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
    from_: RecordRef = strawberry.field(name="from")
    to: RecordRef
    type: str

    @classmethod
    def from_domain(cls, a: domain.TypedPair) -> TypedAssociation:
        return cls(
            from_=RecordRef(id=strawberry.ID(a.from_id)),
            to=RecordRef(id=strawberry.ID(a.to_id)),
            type=a.type,
        )


@strawberry.type(description="A pair of record ids an error is about.")
class AssociationPair:
    from_: RecordRef = strawberry.field(name="from")
    to: RecordRef


@strawberry.type
class ErrorDetail:
    message: str
    code: str | None
    in_: str | None = strawberry.field(name="in")
    sub_category: str | None
    context: JSON


@strawberry.type(description="One failure in a batch, with the inputs it concerns in `items`.")
class BatchError:
    status: str
    category: str | None
    sub_category: str | None
    id: str | None
    message: str
    context: JSON
    errors: list[ErrorDetail]
    links: JSON
    items: list[AssociationPair]
    request_id: str | None
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


@strawberry.type(description="The batch response for default associations (HubSpot's shape).")
class DefaultAssociationBatch:
    status: BatchStatus
    results: list[DefaultAssociation]
    num_errors: int
    errors: list[BatchError]
    requested_at: datetime | None
    started_at: datetime
    completed_at: datetime
    links: JSON

    @classmethod
    def from_domain(cls, b: domain.Batch[domain.DefaultAssociation]) -> DefaultAssociationBatch:
        results = [DefaultAssociation.from_domain(r) for r in b.results]
        return cls(results=results, **_envelope(b))  # type: ignore[arg-type]


@strawberry.type(
    description="The batch response (HubSpot's v3 shape, any CRM): one entry per input, in order."
)
class AssociationBatch:
    status: BatchStatus
    results: list[TypedAssociation]
    num_errors: int
    errors: list[BatchError]
    requested_at: datetime | None
    started_at: datetime
    completed_at: datetime
    links: JSON

    @classmethod
    def from_domain(cls, b: domain.Batch[domain.TypedPair]) -> AssociationBatch:
        results = [TypedAssociation.from_domain(r) for r in b.results]
        return cls(results=results, **_envelope(b))  # type: ignore[arg-type]


@strawberry.input
class AssociationInput:
    from_: RecordRefInput = strawberry.field(name="from")
    to: RecordRefInput
    type: str


# --- Unified (Truto) ---------------------------------------------------------------------


@strawberry.enum
class ResponseFormat(enum.Enum):
    UNIFIED = "unified"
    RAW = "raw"
    NORMALIZED = "normalized"


@strawberry.input
class UnifiedRequestOptions:
    response_format: ResponseFormat | None = ResponseFormat.UNIFIED
    ignore_remote_data: bool | None = None
    exclude_fields: list[str] | None = None
    remote_query: JSON | None = strawberry.field(
        default=None, description="Query parameters passed to the provider untouched."
    )


@strawberry.input
class UnifiedAssociationsInput:
    accounts: list[RecordRefInput] | None = None
    contacts: list[RecordRefInput] | None = None
    leads: list[RecordRefInput] | None = None
    opportunities: list[RecordRefInput] | None = None


@strawberry.input
class UnifiedAssociationInput:
    entity_id: strawberry.ID
    entity: UnifiedEntity
    associations: UnifiedAssociationsInput
    remote_data: JSON | None = strawberry.field(
        default=None, description="Fields passed as they are on every record written."
    )


@strawberry.type
class UnifiedAssociations:
    accounts: list[RecordRef] | None = None
    contacts: list[RecordRef] | None = None
    leads: list[RecordRef] | None = None
    opportunities: list[RecordRef] | None = None


@strawberry.type(description="An associated record the provider refused, and why.")
class UnifiedAssociationError:
    entity: UnifiedEntity
    id: strawberry.ID
    code: str
    message: str
    fields: list[str]


@strawberry.type(description="Truto's unified association response.")
class UnifiedAssociation:
    entity_id: strawberry.ID
    entity: UnifiedEntity
    associations: UnifiedAssociations | None
    remote_data: JSON | None
    errors: list[UnifiedAssociationError]
