"""HighLevel (LeadConnector) associations: relations between two records."""

from __future__ import annotations

from typing import Any

from providers.base import ProviderClient
from providers.domain import Relation, RelationRequest
from providers.leadconnector import wire
from providers.wire import parse_wire

# Every LeadConnector call must name the API version it speaks.
API_VERSION = "2021-07-28"


class LeadConnectorClient(ProviderClient):
    provider = "leadconnector"

    def _base_url(self) -> str:
        return self.settings.leadconnector_base_url

    def _headers(self) -> dict[str, str]:
        return {**super()._headers(), "Version": API_VERSION}

    # https://highlevel.stoplight.io/docs/integrations/ (Associations > Create Relation)
    async def create_relation(self, request: RelationRequest) -> Relation:
        body = {
            "locationId": request.location_id,
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
            location_id=relation.location_id or request.location_id,
            association_id=relation.association_id or request.association_id,
            first_record_id=relation.first_record_id or request.first_record_id,
            second_record_id=relation.second_record_id or request.second_record_id,
            first_object_key=relation.first_object_key,
            second_object_key=relation.second_object_key,
            raw=raw,
        )
