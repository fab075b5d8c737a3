"""HighLevel (LeadConnector) associations: relations between two records."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from urllib.parse import quote

from providers.base import ProviderClient
from providers.domain import AssociatedRecord, AssociationLabel, Relation, RelationRequest
from providers.errors import ProviderError
from providers.leadconnector import wire
from providers.leadconnector.rules import RULES
from providers.wire import parse_wire

# Every LeadConnector call must name the API version it speaks.
API_VERSION = "2021-07-28"
PAGE_SIZE = 100


class LeadConnectorClient(ProviderClient):
    provider = "leadconnector"

    def _base_url(self) -> str:
        return self.settings.leadconnector_base_url

    def _headers(self) -> dict[str, str]:
        return {**super()._headers(), "Version": API_VERSION}

    # https://highlevel.stoplight.io/docs/integrations/ (Associations > Create Relation)
    async def create_relation(self, request: RelationRequest) -> Relation:
        location_id = RULES.location(request.location_id, self.connection)
        body = {
            "locationId": location_id,
            "associationId": request.association_id,
            "firstRecordId": request.first_record_id,
            "secondRecordId": request.second_record_id,
        }
        # Not safe to repeat: a second create answers 400 "duplicate relation".
        reply = await self._request("POST", "/associations/relations", json_body=body, safe=False)
        raw: dict[str, Any] = reply.body if isinstance(reply.body, dict) else {}
        # Some replies wrap the relation; accept both shapes.
        data = raw.get("relation", raw) if isinstance(raw.get("relation"), dict) else raw
        relation = parse_wire(wire.RelationWire, data, provider=self.provider, status=reply.status)
        return Relation(
            id=relation.id,
            location_id=relation.location_id or location_id,
            association_id=relation.association_id or request.association_id,
            first_record_id=relation.first_record_id or request.first_record_id,
            second_record_id=relation.second_record_id or request.second_record_id,
            first_object_key=relation.first_object_key,
            second_object_key=relation.second_object_key,
            raw=raw,
        )

    async def read_associations(
        self, from_type: str, to_type: str, ids: Sequence[str]
    ) -> dict[str, list[AssociatedRecord] | ProviderError]:
        location_id = RULES.location(None, self.connection)
        # HighLevel has no batch read: one call per record, which is all its API offers.
        return {i: await self.relations_of(location_id, i) for i in dict.fromkeys(ids)}

    async def labels(self, from_type: str, to_type: str) -> list[AssociationLabel]:
        """The location's association definitions between the two object keys."""
        definitions = await self.association_definitions(RULES.location(None, self.connection))
        wanted = {from_type, to_type}
        return [d for d in definitions if {d.from_object, d.to_object} == wanted]

    # https://highlevel.stoplight.io/docs/integrations/ (Associations > relations by record id)
    async def relations_of(self, location_id: str, record_id: str) -> list[AssociatedRecord]:
        """The records related to one record, across every association, all pages."""
        related: list[AssociatedRecord] = []
        skip = 0
        while True:
            reply = await self._request(
                "GET",
                f"/associations/relations/{quote(record_id, safe='')}",
                params={"locationId": location_id, "skip": str(skip), "limit": str(PAGE_SIZE)},
                safe=True,
            )
            page = parse_wire(
                wire.RelationsPage, reply.body, provider=self.provider, status=reply.status
            )
            for r in page.relations:
                first = r.first_record_id == record_id
                other = r.second_record_id if first else r.first_record_id
                if other is None:
                    continue
                label = AssociationLabel(
                    category=None,
                    id=r.association_id,
                    from_object=r.first_object_key if first else r.second_object_key,
                    to_object=r.second_object_key if first else r.first_object_key,
                )
                related.append(AssociatedRecord(other, (label,)))
            skip += len(page.relations)
            if not page.relations or skip >= page.total:
                return related

    # https://highlevel.stoplight.io/docs/integrations/ (Associations > Get all associations)
    async def association_definitions(self, location_id: str) -> list[AssociationLabel]:
        labels: list[AssociationLabel] = []
        skip = 0
        while True:
            reply = await self._request(
                "GET",
                "/associations/",
                params={"locationId": location_id, "skip": str(skip), "limit": str(PAGE_SIZE)},
                safe=True,
            )
            page = parse_wire(
                wire.DefinitionsPage, reply.body, provider=self.provider, status=reply.status
            )
            labels += [
                AssociationLabel(
                    category=d.association_type,
                    label=d.first_object_label,
                    id=d.id,
                    key=d.key,
                    from_object=d.first_object_key,
                    to_object=d.second_object_key,
                )
                for d in page.associations
            ]
            skip += len(page.associations)
            if not page.associations or skip >= page.total:
                return labels
