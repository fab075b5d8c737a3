"""The read side: a CRM record as a federation entity, and its associations as a connection."""

from __future__ import annotations

import base64
from typing import Annotated, Any

import strawberry

from gql.context import Info
from gql.errors import ApiError, Code
from gql.loaders import AssociationsKey
from gql.resolvers.connect import readable
from gql.types.common import OBJECT_TYPE_HELP, RECORD_ID_HELP
from providers import domain


@strawberry.type(description="An association type: HubSpot's label, or a HighLevel association.")
class AssociationLabel:
    category: str | None = strawberry.field(
        description="HubSpot: HUBSPOT_DEFINED, USER_DEFINED or INTEGRATOR_DEFINED; null for "
        "HighLevel."
    )
    type_id: int | None = strawberry.field(
        description="HubSpot's numeric association type id; null for HighLevel."
    )
    label: str | None = strawberry.field(
        description="The type's label (HubSpot: null for an unlabelled default type)."
    )
    id: str | None = strawberry.field(description="HighLevel: the association id.")
    key: str | None = strawberry.field(description="HighLevel: the association's key.")
    from_object_type: str | None = strawberry.field(
        description="The object type (HubSpot) or object key (HighLevel) on the from side."
    )
    to_object_type: str | None = strawberry.field(
        description="The object type or object key on the to side."
    )

    @classmethod
    def from_domain(cls, label: domain.AssociationLabel) -> AssociationLabel:
        return cls(
            category=label.category,
            type_id=label.type_id,
            label=label.label,
            id=label.id,
            key=label.key,
            from_object_type=label.from_object,
            to_object_type=label.to_object,
        )


@strawberry.type(description="Where a page of a connection sits (Relay's PageInfo).")
class PageInfo:
    has_next_page: bool = strawberry.field(description="Whether records follow this page.")
    has_previous_page: bool = strawberry.field(description="Whether records precede it.")
    start_cursor: str | None = strawberry.field(
        description="The first edge's cursor; null on an empty page."
    )
    end_cursor: str | None = strawberry.field(
        description="The last edge's cursor: pass it as after for the next page."
    )


@strawberry.type(description="A record associated with another, and how.")
class AssociatedRecord:
    id: strawberry.ID = strawberry.field(description="The associated record's id in the CRM.")
    types: list[AssociationLabel] = strawberry.field(
        description="The association types linking the two (HubSpot labels, HighLevel "
        "associations; empty for Salesforce lookups)."
    )
    record: CrmRecord = strawberry.field(
        description="The associated record as a CrmRecord, to follow its own associations."
    )


@strawberry.type(description="One associated record in a page, with its cursor.")
class AssociationEdge:
    cursor: str = strawberry.field(description="Opaque: pass it as after to start after it.")
    node: AssociatedRecord = strawberry.field(description="The associated record.")


@strawberry.type(description="A page of a record's associations towards one object type.")
class AssociationConnection:
    edges: list[AssociationEdge] = strawberry.field(description="This page, in CRM order.")
    page_info: PageInfo = strawberry.field(description="Whether there are more pages.")
    total_count: int = strawberry.field(
        description="How many records are associated in all, across every page."
    )


def _cursor(offset: int) -> str:
    return base64.urlsafe_b64encode(f"offset:{offset}".encode()).decode()


def _offset(cursor: str | None) -> int:
    if cursor is None:
        return 0
    try:
        kind, _, value = base64.urlsafe_b64decode(cursor.encode()).decode().partition(":")
        if kind == "offset" and value.isdigit():
            return int(value) + 1
    except (ValueError, UnicodeDecodeError):
        pass
    raise ApiError(Code.BAD_USER_INPUT, "after is not a cursor this API gave out", field="after")


MAX_PAGE = 500


@strawberry.federation.type(
    keys=["integrationId objectType id"],
    description="A record in a CRM, by integration, object type and id.",
)
class CrmRecord:
    integration_id: strawberry.ID = strawberry.field(
        description="The integration (CRM connection) the record is read through."
    )
    object_type: str = strawberry.field(description=OBJECT_TYPE_HELP)
    id: strawberry.ID = strawberry.field(description=RECORD_ID_HELP)

    @strawberry.field(description="The records this one is associated with, a page at a time.")
    async def associations(
        self,
        info: Info,
        to_object_type: Annotated[
            str,
            strawberry.argument(
                description="The object type of the associated records, in the same naming "
                "as objectType."
            ),
        ],
        first: Annotated[
            int | None,
            strawberry.argument(description=f"Page size: 0 to {MAX_PAGE}; 100 when omitted."),
        ] = 100,
        after: Annotated[
            str | None,
            strawberry.argument(
                description="A cursor from this connection: the page starts after it."
            ),
        ] = None,
    ) -> AssociationConnection:
        size = 100 if first is None else first
        if not 0 <= size <= MAX_PAGE:
            raise ApiError(Code.BAD_USER_INPUT, f"first must be 0 to {MAX_PAGE}", field="first")
        start = _offset(after)
        await readable(
            info, str(self.integration_id), self.object_type, str(self.id), to_object_type
        )
        key = AssociationsKey(
            str(self.integration_id), self.object_type, str(self.id), to_object_type
        )
        records = await info.context.loaders.associations.load(key)
        page = records[start : start + size]
        edges = [
            AssociationEdge(
                cursor=_cursor(start + n),
                node=AssociatedRecord(
                    id=strawberry.ID(r.id),
                    types=[AssociationLabel.from_domain(t) for t in r.types],
                    record=CrmRecord(
                        integration_id=self.integration_id,
                        object_type=to_object_type,
                        id=strawberry.ID(r.id),
                    ),
                ),
            )
            for n, r in enumerate(page)
        ]
        return AssociationConnection(
            edges=edges,
            page_info=PageInfo(
                has_next_page=start + len(page) < len(records),
                has_previous_page=start > 0,
                start_cursor=edges[0].cursor if edges else None,
                end_cursor=edges[-1].cursor if edges else None,
            ),
            total_count=len(records),
        )

    @classmethod
    async def resolve_reference(cls, info: Info, **key: Any) -> CrmRecord | None:
        """``key`` is the representation as sent (camelCase: integrationId, objectType, id).

        No upstream call here: the fields that need the CRM go through the loaders, so 500
        representations cost one batch read per 1,000 ids, not 500 calls.
        """
        integration_id, object_type, id_ = (
            str(key.get(k, "")) for k in ("integrationId", "objectType", "id")
        )
        if not (integration_id and object_type and id_):
            raise ApiError(
                Code.BAD_USER_INPUT,
                "a CrmRecord representation needs integrationId, objectType and id",
            )
        if await info.context.loaders.integrations.load(integration_id) is None:
            return None
        return cls(
            integration_id=strawberry.ID(integration_id),
            object_type=object_type,
            id=strawberry.ID(id_),
        )
