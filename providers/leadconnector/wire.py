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


class RelationsPage(WireModel):
    # Declared as a single relation DTO in the spec; the API answers a list with a total.
    relations: list[RelationWire] = []
    total: int = 0


class DefinitionWire(WireModel):
    id: WireId
    key: str | None = None
    association_type: str | None = Field(default=None, alias="associationType")
    first_object_key: str | None = Field(default=None, alias="firstObjectKey")
    first_object_label: str | None = Field(default=None, alias="firstObjectLabel")
    second_object_key: str | None = Field(default=None, alias="secondObjectKey")
    second_object_label: str | None = Field(default=None, alias="secondObjectLabel")


class DefinitionsPage(WireModel):
    associations: list[DefinitionWire] = []
    total: int = 0


class BulkUpdateReply(WireModel):
    """POST /contacts/bulk/business: the contacts it updated."""

    success: bool = False
    ids: list[WireId] = []
