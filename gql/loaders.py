"""Per-request DataLoaders: every provider call of a request goes through one of these.

Operations sent together in one HTTP request (GraphQL-over-HTTP batching) share the context,
so their loads meet here and leave as the fewest provider calls the batch limits allow. Keys
are frozen dataclasses that include the integration; each batch function groups its keys by
integration (and object types) and answers every key, in order, with its own value or error.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import Awaitable, Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any, Protocol, TypeVar, cast

from strawberry.dataloader import DataLoader

from gql.coalescing import Coalescer
from gql.store.integrations import Integration, IntegrationStore
from providers import registry
from providers.base import HttpTransport
from providers.batching import error_for_items
from providers.capabilities import (
    ASSOCIATION_READS,
    DEFAULT_ASSOCIATIONS,
    RECORD_LOOKUPS,
    UNIFIED_ASSOCIATIONS,
    Capability,
)
from providers.domain import (
    AssociatedRecord,
    Batch,
    BatchStatus,
    Connection,
    DefaultAssociation,
    Pair,
    UnifiedAssociationRequest,
    UnifiedAssociationResult,
)
from providers.errors import Conflict, InvalidRequest, NotFound, ProviderError

C = TypeVar("C")
K = TypeVar("K", bound="Keyed")
V = TypeVar("V")
Found = tuple[Integration, Connection]


class Keyed(Protocol, Hashable):
    """Every loader key names its integration."""

    @property
    def integration_id(self) -> str: ...


@dataclass(frozen=True)
class DefaultAssociationKey:
    integration_id: str
    from_type: str
    to_type: str
    from_id: str
    to_id: str


@dataclass(frozen=True)
class AssociationsKey:
    """The associations of one record towards one object type."""

    integration_id: str
    object_type: str
    record_id: str
    to_object_type: str


@dataclass(frozen=True)
class RecordKey:
    """Whether one record exists. ``to_types`` are the association reads the request makes
    of it anyway: a record they find associations for exists, with no call of its own."""

    integration_id: str
    object_type: str
    record_id: str
    to_types: tuple[str, ...] = ()


@dataclass(frozen=True, eq=False)
class UnifiedKey:
    """One ``createAssociation`` operation: never merged with another (identity), but
    operations of one request meet in one batch so their writes share calls."""

    integration_id: str
    request: UnifiedAssociationRequest


def _grouped(keys: Sequence[K], by: Callable[[K], Hashable]) -> dict[Hashable, list[K]]:
    groups: dict[Hashable, list[K]] = defaultdict(list)
    for key in keys:
        groups[by(key)].append(key)
    return groups


BatchFn = TypeVar("BatchFn", bound=Callable[[list[Any]], Awaitable[Any]])


def _sized_by(observe: Callable[[str, int], None] | None) -> Callable[[str, BatchFn], BatchFn]:
    """Wraps batch functions so each batch's size is reported (as is, when nobody listens)."""

    def sized(name: str, load: BatchFn) -> BatchFn:
        if observe is None:
            return load

        async def measured(keys: list[Any]) -> Any:
            observe(name, len(keys))
            return await load(keys)

        return cast(BatchFn, measured)

    return sized


class Loaders:
    """The loaders of one request. ``connected`` integrations are the ones checked already."""

    def __init__(
        self,
        tenant: str,
        store: IntegrationStore,
        transport: HttpTransport,
        coalescer: Coalescer | None = None,
        *,
        observe_batch: Callable[[str, int], None] | None = None,
    ) -> None:
        self._tenant = tenant
        self._store = store
        self._transport = transport
        self._coalescer = coalescer
        limits = transport.settings
        sized = _sized_by(observe_batch)
        self.integrations = DataLoader[str, Found | None](
            sized("integrations", self._load_integrations)
        )
        self.default_associations = DataLoader[DefaultAssociationKey, Batch[DefaultAssociation]](
            sized("default_associations", self._associate_default),
            max_batch_size=limits.hubspot_v4_batch_limit,
        )
        self.associations = DataLoader[AssociationsKey, list[AssociatedRecord]](
            sized("associations", self._read_associations),
            max_batch_size=limits.hubspot_read_batch_limit,
        )
        self.records = DataLoader[RecordKey, bool](self._find_records)
        self.unified_associations = DataLoader[UnifiedKey, UnifiedAssociationResult](
            sized("unified_associations", self._associate_unified), cache=False
        )

    def forget_integration(self, integration_id: str) -> None:
        """After an update or delete, later operations of the request must read it again."""
        if self.integrations.cache_map.get(integration_id) is not None:
            self.integrations.clear(integration_id)

    def implementation(self, capability: Capability[C], found: Found) -> C:
        """The integration's implementation of ``capability`` (``Unsupported`` if none), its
        batchable calls shared with other requests of the tenant when coalescing is on."""
        implementation = registry.implementation(capability, self._transport, found[1])
        if self._coalescer is None:
            return implementation
        return self._coalescer.wrap(capability, implementation, (self._tenant, found[0].id))

    async def _connected(self, ids: Iterable[str]) -> dict[str, Found]:
        found = await self.integrations.load_many(list(dict.fromkeys(ids)))
        return {f[0].id: f for f in found if f is not None}

    async def _load_integrations(self, ids: list[str]) -> list[Found | None]:
        found = await self._store.connections(self._tenant, ids)
        return [found.get(i) for i in ids]

    async def _per_group(
        self,
        keys: list[K],
        by: Callable[[K], Hashable],
        answer: Callable[[list[K], Found], Awaitable[Iterable[tuple[K, V]]]],
    ) -> list[V | BaseException]:
        """Answer ``keys`` group by group (a group shares one integration); a group whose
        calls fail answers each of its keys with that error, and the other groups go on."""
        connected = await self._connected(k.integration_id for k in keys)
        answers: dict[K, V | BaseException] = {}
        for group in _grouped(keys, by).values():
            try:
                answers.update(await answer(group, connected[group[0].integration_id]))
            except ProviderError as exc:
                answers.update((k, exc) for k in group)
        return [answers[k] for k in keys]

    # --- default associations ------------------------------------------------------

    async def _associate_default(
        self, keys: list[DefaultAssociationKey]
    ) -> list[Batch[DefaultAssociation] | BaseException]:
        async def answer(
            group: list[DefaultAssociationKey], found: Found
        ) -> Iterable[tuple[DefaultAssociationKey, Batch[DefaultAssociation]]]:
            client = self.implementation(DEFAULT_ASSOCIATIONS, found)
            first = group[0]
            if len(group) == 1:
                # One operation: the provider's single-pair call, as the caller asked. A refusal
                # of the pair is answered in the envelope, as it would be inside a batch.
                try:
                    single = await client.create_default(
                        first.from_type, first.from_id, first.to_type, first.to_id
                    )
                except ITEM_REFUSALS as exc:
                    single = _refused(exc, Pair(first.from_id, first.to_id))
                return [(first, single)]
            batch = await client.associate_default(
                first.from_type, first.to_type, [Pair(k.from_id, k.to_id) for k in group]
            )
            return [(k, _batch_for(batch, Pair(k.from_id, k.to_id))) for k in group]

        return await self._per_group(
            keys, lambda k: (k.integration_id, k.from_type, k.to_type), answer
        )

    # --- the read side ---------------------------------------------------------------------

    async def _read_associations(
        self, keys: list[AssociationsKey]
    ) -> list[list[AssociatedRecord] | BaseException]:
        async def answer(
            group: list[AssociationsKey], found: Found
        ) -> Iterable[tuple[AssociationsKey, list[AssociatedRecord] | ProviderError]]:
            first = group[0]
            ids = [k.record_id for k in group]
            by_id = await self._read(found, first.object_type, first.to_object_type, ids)
            return [(k, by_id.get(k.record_id, [])) for k in group]

        return await self._per_group(
            keys, lambda k: (k.integration_id, k.object_type, k.to_object_type), answer
        )

    async def _read(
        self, found: Found, object_type: str, to_type: str, ids: list[str]
    ) -> Mapping[str, list[AssociatedRecord] | ProviderError]:
        reads = self.implementation(ASSOCIATION_READS, found)
        return await reads.read_associations(object_type, to_type, ids)

    async def _find_records(self, keys: list[RecordKey]) -> list[bool | BaseException]:
        async def answer(group: list[RecordKey], found: Found) -> Iterable[tuple[RecordKey, bool]]:
            first = group[0]
            ids = [k.record_id for k in group]
            # The reads the fields below will ask for: loaded once, here, and kept in the
            # loader's cache for them. An id with associations exists.
            reads = [
                AssociationsKey(first.integration_id, first.object_type, i, to_type)
                for to_type in first.to_types
                for i in ids
            ]
            answers = await asyncio.gather(
                *(self.associations.load(k) for k in reads), return_exceptions=True
            )
            vouched = {
                k.record_id
                for k, a in zip(reads, answers, strict=True)
                if isinstance(a, list) and a
            }
            unsure = [i for i in ids if i not in vouched]
            existing: set[str] = set()
            if unsure and registry.supports(found[1].provider, RECORD_LOOKUPS):
                lookups = self.implementation(RECORD_LOOKUPS, found)
                existing = await lookups.existing_records(first.object_type, unsure)
            elif unsure:
                # HighLevel answers an unknown record and an unrelated one alike (an empty
                # relations list), and has no lookup by id across object kinds: a
                # well-formed id is taken as a record.
                existing = set(unsure)
            return [(k, k.record_id in vouched or k.record_id in existing) for k in group]

        return await self._per_group(
            keys, lambda k: (k.integration_id, k.object_type, k.to_types), answer
        )

    # --- unified associations shared across operations ------------------------------------

    async def _associate_unified(
        self, keys: list[UnifiedKey]
    ) -> list[UnifiedAssociationResult | BaseException]:
        async def answer(
            group: list[UnifiedKey], found: Found
        ) -> Iterable[tuple[UnifiedKey, UnifiedAssociationResult | ProviderError]]:
            unified = self.implementation(UNIFIED_ASSOCIATIONS, found)
            answers = await unified.create_associations([k.request for k in group])
            return zip(group, answers, strict=True)

        return await self._per_group(keys, lambda k: k.integration_id, answer)


# A provider's refusal of one pair (unknown record, conflict, invalid pair): a per-item error,
# whether the pair went alone or in a batch. Refusals made before any call (unsupported
# combinations, our own input checks) and whole-request failures stay top-level errors.
ITEM_REFUSALS = (NotFound, Conflict, InvalidRequest)


def _refused(exc: ProviderError, pair: Pair) -> Batch[DefaultAssociation]:
    if exc.status is None:  # refused before any call: not about this pair's records
        raise exc
    now = datetime.now(UTC)
    return Batch(BatchStatus.COMPLETE, [], [error_for_items(exc, [pair])], now, now)


def _batch_for(batch: Batch[DefaultAssociation], pair: Pair) -> Batch[DefaultAssociation]:
    """One operation's share of a batch: its pair (both directions) and the errors naming it."""
    mine = {pair, Pair(pair.to_id, pair.from_id)}
    return replace(
        batch,
        results=[r for r in batch.results if Pair(r.from_id, r.to_id) in mine],
        errors=[e for e in batch.errors if pair in e.items],
    )


__all__ = ["AssociationsKey", "DefaultAssociationKey", "Loaders", "RecordKey", "UnifiedKey"]
