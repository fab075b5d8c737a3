"""What gql/ asks a provider for: capabilities, never clients.

Each capability is a ``typing.Protocol`` of provider-neutral domain models; each CRM's client
implements the ones it can express, and ``providers/registry.py`` answers "the implementation
of capability C for this connection" (or raises ``Unsupported``). Every provider also has
``InputRules`` (its id formats and object types, in ``providers/<crm>/rules.py``), checked
before any call, and lists what it supports as ``Support`` rows, the source of
``crmCapabilities`` and of the README's matrix.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Generic, Protocol, TypeVar

from providers.base import HttpTransport
from providers.domain import (
    AssociatedRecord,
    AssociationLabel,
    Batch,
    Connection,
    DefaultAssociation,
    Pair,
    Relation,
    RelationRequest,
    TypedPair,
    UnifiedAssociationRequest,
    UnifiedAssociationResult,
)
from providers.errors import ProviderError

C = TypeVar("C")


class UnifiedAssociations(Protocol):
    """``createAssociation``: Truto's unified shape (an entity and lists of records)."""

    async def create_associations(
        self, requests: Sequence[UnifiedAssociationRequest]
    ) -> list[UnifiedAssociationResult | ProviderError]:
        """One answer per request, in order; requests of one HTTP request share calls."""
        ...


class DefaultAssociations(Protocol):
    """``createDefaultAssociation``: the standard link between two records."""

    async def create_default(
        self, from_type: str, from_id: str, to_type: str, to_id: str
    ) -> Batch[DefaultAssociation]: ...

    async def associate_default(
        self, from_type: str, to_type: str, pairs: Sequence[Pair]
    ) -> Batch[DefaultAssociation]: ...


class DefaultsAsBatches:
    """``create_default`` as a batch of one, for a provider whose single pair goes out the
    way its batches do (Salesforce, HighLevel)."""

    async def associate_default(
        self, from_type: str, to_type: str, pairs: Sequence[Pair]
    ) -> Batch[DefaultAssociation]:
        raise NotImplementedError

    async def create_default(
        self, from_type: str, from_id: str, to_type: str, to_id: str
    ) -> Batch[DefaultAssociation]:
        return await self.associate_default(from_type, to_type, [Pair(from_id, to_id)])


@dataclass(frozen=True)
class CallLimits:
    """How a batch create goes upstream for one connection, now: at most ``per_call`` inputs
    in one call, and at most ``in_flight`` calls at once. An import sizes its windows from it
    (``gql/imports/creation.py``)."""

    per_call: int
    in_flight: int


class BatchAssociations(Protocol):
    """``batchCreateAssociations``: many typed pairs, each answered in the batch envelope."""

    async def create_batch(
        self, from_type: str, to_type: str, inputs: Sequence[TypedPair]
    ) -> Batch[TypedPair]: ...

    def call_limits(self) -> CallLimits:
        """The provider's per-call maximum for this connection (its API version, a size
        forced by a setting, a smaller one learnt from a refusal) and the calls in flight."""
        ...


class Relations(Protocol):
    """``createRelation``: two records through a named association (a label's id)."""

    async def create_relation(self, request: RelationRequest) -> Relation: ...


class AssociationReads(Protocol):
    """``CrmRecord.associations``: what each record is associated with."""

    async def read_associations(
        self, from_type: str, to_type: str, ids: Sequence[str]
    ) -> Mapping[str, list[AssociatedRecord] | ProviderError]: ...


class RecordLookups(Protocol):
    """``crmRecords``: which ids are records, for the ids no association read vouched for."""

    async def existing_records(self, object_type: str, ids: Sequence[str]) -> set[str]: ...


class Labels(Protocol):
    """``associationLabels``: the association types between two object types; their ids are
    the ``associationId`` values ``createRelation`` accepts."""

    async def labels(self, from_type: str, to_type: str) -> list[AssociationLabel]: ...


class InputRules(Protocol):
    """A provider's input rules; each raises ``BadInput`` naming ``what``."""

    def object_type(self, value: str, what: str) -> str: ...

    def record_id(self, value: str, what: str) -> str: ...

    def association_type(self, value: str, what: str) -> str: ...


@dataclass(frozen=True)
class Capability(Generic[C]):
    """A key of the registry; ``mutation`` is the GraphQL field it serves."""

    mutation: str


UNIFIED_ASSOCIATIONS: Capability[UnifiedAssociations] = Capability("createAssociation")
DEFAULT_ASSOCIATIONS: Capability[DefaultAssociations] = Capability("createDefaultAssociation")
BATCH_ASSOCIATIONS: Capability[BatchAssociations] = Capability("batchCreateAssociations")
RELATIONS: Capability[Relations] = Capability("createRelation")
ASSOCIATION_READS: Capability[AssociationReads] = Capability("associations")
LABELS: Capability[Labels] = Capability("associationLabels")
RECORD_LOOKUPS: Capability[RecordLookups] = Capability("crmRecords")


@dataclass(frozen=True)
class Support:
    """One supported (operation, object pair) of a provider and how it is carried out."""

    operation: str
    from_object: str
    to_object: str
    how: str


@dataclass(frozen=True)
class Provides:
    """What one CRM declares (``providers/<crm>/support.py``): implementations, rules, rows,
    and the provider facts gql/ must know to use them safely."""

    implementations: Mapping[Capability[Any], Callable[[HttpTransport, Connection], Any]]
    rules: InputRules
    rows: Sequence[Support]
    # A batch create sent again with pairs it has made writes nothing twice and answers them
    # as made, by the provider's own rule (not a check-then-write of ours): an import may then
    # resend the window in flight at a crash rather than read it back first. Each support.py
    # says why.
    repeatable_batch_create: bool


class EveryCapability(
    UnifiedAssociations,
    DefaultAssociations,
    BatchAssociations,
    Relations,
    AssociationReads,
    Labels,
    Protocol,
):
    """A client that implements every capability (all three CRMs today)."""


EVERY_CAPABILITY: tuple[Capability[Any], ...] = (
    UNIFIED_ASSOCIATIONS,
    DEFAULT_ASSOCIATIONS,
    BATCH_ASSOCIATIONS,
    RELATIONS,
    ASSOCIATION_READS,
    LABELS,
)


def every_capability(
    factory: Callable[[HttpTransport, Connection], EveryCapability],
) -> dict[Capability[Any], Callable[[HttpTransport, Connection], Any]]:
    """The implementations of a client speaking every Protocol (mypy checks it does)."""
    return dict.fromkeys(EVERY_CAPABILITY, factory)
