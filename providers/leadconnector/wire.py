"""HighLevel (LeadConnector) reply shapes (lenient), from ../shared/specs/gohighlevel."""

from __future__ import annotations

from pydantic import Field

from providers.wire import WireId, WireModel


class RelationWire(WireModel):
    id: WireId
    association_id: WireId | None = Field(default=None, alias="associationId")
    location_id: str | None = Field(default=None, alias="locationId")
    first_record_id: WireId | None = Field(default=None, alias="firstRecordId")
    second_record_id: WireId | None = Field(default=None, alias="secondRecordId")
    # Typed `object` in the spec; strings in practice.
    first_object_key: str | None = Field(default=None, alias="firstObjectKey")
    second_object_key: str | None = Field(default=None, alias="secondObjectKey")
