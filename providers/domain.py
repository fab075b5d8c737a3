"""Provider-neutral models: what the GraphQL layer asks for and what the clients answer.

Frozen dataclasses, no wire shapes: a provider adding a field never changes these.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Generic, TypeVar


class CrmProvider(enum.Enum):
    HUBSPOT = "hubspot"
    SALESFORCE = "salesforce"
    LEADCONNECTOR = "leadconnector"


@dataclass(frozen=True)
class Credentials:
    """What a client signs in with. With a refresh token and the OAuth client's id and
    secret, the access token is refreshed before ``expires_at`` and once after a 401."""

    access_token: str
    refresh_token: str | None = None
    client_id: str | None = None
    client_secret: str | None = None
    expires_at: datetime | None = None  # when the access token stops working (UTC)

    def __repr__(self) -> str:  # secrets never reach a log line through repr()
        return "Credentials(<redacted>)"


@dataclass(frozen=True)
class RateLimits:
    """An integration's own limits where they differ from its provider's defaults (a HubSpot
    Professional account: 190 requests per 10 s)."""

    burst: int | None = None
    interval_seconds: float | None = None
    daily: int | None = None


@dataclass(frozen=True)
class Connection:
    """Everything a client needs to reach one CRM account."""

    integration_id: str
    provider: CrmProvider
    credentials: Credentials = field(repr=False)
    instance_url: str | None = None
    rate_limits: RateLimits | None = None
    location_id: str | None = None  # HighLevel: the integration's default location


class AuthStatus(enum.Enum):
    """Whether an integration's stored credentials still work, as far as crmgraph knows."""

    OK = "OK"
    REAUTHORIZATION_REQUIRED = "REAUTHORIZATION_REQUIRED"  # the refresh token was refused


# --- HubSpot-style batches --------------------------------------------------------------


@dataclass(frozen=True)
class Pair:
    from_id: str
    to_id: str


@dataclass(frozen=True)
class TypedPair:
    """A v3 association input: a pair and its type name (``contact_to_company``)."""

    from_id: str
    to_id: str
    type: str

    @property
    def pair(self) -> Pair:
        return Pair(self.from_id, self.to_id)


@dataclass(frozen=True)
class AssociationSpec:
    category: str
    type_id: int


@dataclass(frozen=True)
class DefaultAssociation:
    from_id: str
    to_id: str
    spec: AssociationSpec


@dataclass(frozen=True)
class ErrorDetail:
    message: str
    code: str | None = None
    in_: str | None = None
    sub_category: str | None = None
    context: dict[str, list[str]] = field(default_factory=dict)


@dataclass(frozen=True)
class BatchError:
    """One entry of a batch reply's ``errors``; ``items`` are the inputs it concerns."""

    message: str
    status: str = "error"
    category: str | None = None
    sub_category: str | None = None
    id: str | None = None
    context: dict[str, list[str]] = field(default_factory=dict)
    errors: tuple[ErrorDetail, ...] = ()
    links: dict[str, str] = field(default_factory=dict)
    items: tuple[Pair, ...] = ()
    request_id: str | None = None
    input_index: int | None = None  # an input refused before any call: where it was


class BatchStatus(enum.Enum):
    PENDING = "PENDING"
    PROCESSING = "PROCESSING"
    CANCELED = "CANCELED"
    COMPLETE = "COMPLETE"


T = TypeVar("T")


@dataclass(frozen=True)
class Batch(Generic[T]):
    """HubSpot's batch envelope, provider-neutral."""

    status: BatchStatus
    results: list[T]
    errors: list[BatchError]
    started_at: datetime
    completed_at: datetime
    requested_at: datetime | None = None
    links: dict[str, str] = field(default_factory=dict)

    @property
    def num_errors(self) -> int:
        return len(self.errors)


# --- HighLevel relations ------------------------------------------------------------------


@dataclass(frozen=True)
class RelationRequest:
    """Two records related through ``association_id`` (an id ``associationLabels`` gives)."""

    association_id: str
    first_record_id: str
    second_record_id: str
    location_id: str | None = None  # HighLevel; the integration's default when None
    role: str | None = None  # Salesforce junction rows


@dataclass(frozen=True)
class Relation:
    id: str
    location_id: str | None
    association_id: str
    first_record_id: str
    second_record_id: str
    first_object_key: str | None = None
    second_object_key: str | None = None
    raw: dict[str, Any] = field(default_factory=dict)


# --- Unified (Truto-style) associations ------------------------------------------------


class UnifiedEntity(enum.Enum):
    ACCOUNTS = "accounts"
    OPPORTUNITIES = "opportunities"
    CONTACTS = "contacts"
    LEADS = "leads"


@dataclass(frozen=True)
class UnifiedAssociationRequest:
    entity_id: str
    entity: UnifiedEntity
    associations: dict[UnifiedEntity, tuple[str, ...]]
    remote_data: dict[str, Any] | None = None
    remote_query: dict[str, str] | None = None


@dataclass(frozen=True)
class ItemError:
    """One associated record the provider refused, with the provider's reason."""

    entity: UnifiedEntity
    id: str
    code: str
    message: str
    fields: tuple[str, ...] = ()


@dataclass(frozen=True)
class UnifiedAssociationResult:
    entity_id: str
    entity: UnifiedEntity
    associations: dict[UnifiedEntity, list[str]]
    errors: list[ItemError]
    raw: list[Any]


# --- The read side ------------------------------------------------------------------------


@dataclass(frozen=True)
class AssociationLabel:
    """An association type: HubSpot's (category, typeId, label), HighLevel's definition."""

    category: str | None
    type_id: int | None = None
    label: str | None = None
    id: str | None = None  # HighLevel association id
    key: str | None = None  # HighLevel association key
    from_object: str | None = None
    to_object: str | None = None


@dataclass(frozen=True)
class AssociatedRecord:
    id: str
    types: tuple[AssociationLabel, ...] = ()
