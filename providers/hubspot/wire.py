"""HubSpot reply shapes (lenient), from ../shared/specs/hubspot."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import Field, field_validator

from providers.wire import WireId, WireModel


class ObjectId(WireModel):
    id: WireId


class AssociationSpecWire(WireModel):
    association_category: str = Field(alias="associationCategory")
    association_type_id: int = Field(alias="associationTypeId")


class DefaultResult(WireModel):
    from_: ObjectId = Field(alias="from")
    to: ObjectId
    association_spec: AssociationSpecWire = Field(alias="associationSpec")


class LabelsResult(WireModel):
    """A 2026-09 batch create result (``LabelsBetweenObjectPair``): one per pair."""

    from_object_id: WireId = Field(alias="fromObjectId")
    to_object_id: WireId = Field(alias="toObjectId")
    labels: list[str | None] = []


class TypedResult(WireModel):
    from_: ObjectId = Field(alias="from")
    to: ObjectId
    type: str


def _context(value: Any) -> dict[str, list[str]]:
    # Documented as map<string, list<string>>; tolerate scalars and the odd string form.
    if not isinstance(value, dict):
        return {}
    return {str(k): [str(x) for x in (v if isinstance(v, list) else [v])] for k, v in value.items()}


class ErrorDetailWire(WireModel):
    message: str = ""
    code: str | None = None
    in_: str | None = Field(default=None, alias="in")
    sub_category: str | None = Field(default=None, alias="subCategory")
    context: dict[str, list[str]] = {}

    _ctx = field_validator("context", mode="before")(_context)


class StandardErrorWire(WireModel):
    status: str = "error"
    message: str = ""
    id: str | None = None
    category: str | None = None
    # The spec types subCategory as an object; real replies send a string.
    sub_category: Any = Field(default=None, alias="subCategory")
    context: dict[str, list[str]] = {}
    errors: list[ErrorDetailWire] = []
    links: dict[str, str] = {}

    _ctx = field_validator("context", mode="before")(_context)


class BatchReply(WireModel):
    status: str = "COMPLETE"
    results: list[Any] = []
    errors: list[StandardErrorWire] = []
    num_errors: int | None = Field(default=None, alias="numErrors")
    requested_at: datetime | None = Field(default=None, alias="requestedAt")
    started_at: datetime | None = Field(default=None, alias="startedAt")
    completed_at: datetime | None = Field(default=None, alias="completedAt")
    links: dict[str, str] = {}


class AssociationTypeWire(WireModel):
    category: str
    type_id: int = Field(alias="typeId")
    label: str | None = None


class ToObject(WireModel):
    to_object_id: WireId = Field(alias="toObjectId")
    association_types: list[AssociationTypeWire] = Field(default=[], alias="associationTypes")


class NextPage(WireModel):
    after: str


class Paging(WireModel):
    next: NextPage | None = None


class ReadResult(WireModel):
    from_: ObjectId = Field(alias="from")
    to: list[ToObject] = []
    paging: Paging | None = None


class LabelsReply(WireModel):
    results: list[AssociationTypeWire] = []
