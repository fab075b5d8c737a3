"""Cross-request coalescing: calls that arrive close together share upstream batch calls.

The per-request DataLoaders (``gql/loaders.py``) batch the operations of one HTTP request.
Clients that send one operation per request (most frontends, and a gateway fanning out) never
meet there: 200 concurrent ``createDefaultAssociation`` requests made 200 upstream calls where
HubSpot's batch endpoint takes them all at once, and the 101st waited for the rate window.

``Coalescer`` holds, per key, the items that callers submit while a short window is open
(``CRMGRAPH_COALESCE_WINDOW_MS``; each new caller keeps it open that much longer, up to ten
windows), then makes one call for all of them; each caller then takes its own share of the
answer. A key always names the tenant and the integration, so nothing is shared across either.
The wrappers below speak the capability Protocols of ``providers/capabilities.py``, so the
loaders use them as they would the provider's own implementation.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine, Hashable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Generic, TypeVar, cast

from providers.capabilities import (
    ASSOCIATION_READS,
    BATCH_ASSOCIATIONS,
    DEFAULT_ASSOCIATIONS,
    UNIFIED_ASSOCIATIONS,
    AssociationReads,
    BatchAssociations,
    Capability,
    DefaultAssociations,
    UnifiedAssociations,
)
from providers.domain import (
    AssociatedRecord,
    Batch,
    DefaultAssociation,
    Pair,
    TypedPair,
    UnifiedAssociationRequest,
    UnifiedAssociationResult,
)
from providers.errors import ProviderError

T = TypeVar("T")
R = TypeVar("R")
C = TypeVar("C")

MAX_WINDOWS = 10  # a busy key still flushes after this many windows


@dataclass
class _Window(Generic[T, R]):
    call: Callable[[list[T]], Coroutine[Any, Any, R]]
    opened: float
    items: list[T] = field(default_factory=list)
    waiters: list[asyncio.Future[R]] = field(default_factory=list)
    timer: asyncio.TimerHandle | None = None


class Coalescer:
    """One per app: windows of pending items, keyed by (tenant, integration, call)."""

    def __init__(self, window_seconds: float) -> None:
        self.window = window_seconds
        self._open: dict[Hashable, _Window[Any, Any]] = {}

    async def submit(
        self, key: Hashable, items: Sequence[T], call: Callable[[list[T]], Coroutine[Any, Any, R]]
    ) -> tuple[R, int]:
        """The answer of the call made for this window's items, and where ``items`` start
        in them. ``call`` is the first caller's: every caller of a key makes the same call."""
        loop = asyncio.get_running_loop()
        window: _Window[T, R] | None = self._open.get(key)
        if window is None:
            window = self._open[key] = _Window(call, loop.time())
        offset = len(window.items)
        window.items.extend(items)
        waiter: asyncio.Future[R] = loop.create_future()
        window.waiters.append(waiter)
        if window.timer is not None:
            window.timer.cancel()
        due = min(loop.time() + self.window, window.opened + MAX_WINDOWS * self.window)
        window.timer = loop.call_at(due, self._flush, key)
        return await waiter, offset

    def _flush(self, key: Hashable) -> None:
        window = self._open.pop(key)
        task: asyncio.Task[Any] = asyncio.get_running_loop().create_task(window.call(window.items))

        def settle(done: asyncio.Task[Any]) -> None:
            for waiter in window.waiters:
                if waiter.done():  # its request went away; the others still get theirs
                    continue
                if done.cancelled():
                    waiter.cancel()
                elif (error := done.exception()) is not None:
                    waiter.set_exception(error)
                else:
                    waiter.set_result(done.result())

        task.add_done_callback(settle)

    def wrap(self, capability: Capability[C], implementation: C, key: Hashable) -> C:
        """``implementation`` with its batchable calls coalesced under ``key`` (the wrapper
        speaks the same Protocol)."""
        wrapper = _WRAPPERS.get(capability)
        return implementation if wrapper is None else cast(C, wrapper(implementation, self, key))


# --- each caller's share ---------------------------------------------------------------


def _share(batch: Batch[Any], pairs: Sequence[Pair], pair_of: Callable[[Any], Pair]) -> Batch[Any]:
    """The caller's part of a shared batch: results for its pairs in its order, and the
    errors that name them (with only its pairs in ``items``)."""
    order = {p: n for n, p in enumerate(dict.fromkeys(pairs))}
    results = sorted(
        (r for r in batch.results if pair_of(r) in order), key=lambda r: order[pair_of(r)]
    )
    errors = []
    for error in batch.errors:
        mine = tuple(p for p in error.items if p in order)
        if mine:
            errors.append(replace(error, items=mine))
    return replace(batch, results=results, errors=errors)


def _typed(r: TypedPair) -> Pair:
    return r.pair


def _default(r: DefaultAssociation) -> Pair:
    return Pair(r.from_id, r.to_id)


class _CoalescedDefaults:
    def __init__(self, inner: DefaultAssociations, coalescer: Coalescer, key: Hashable):
        self._inner, self._coalescer, self._key = inner, coalescer, key

    async def create_default(
        self, from_type: str, from_id: str, to_type: str, to_id: str
    ) -> Batch[DefaultAssociation]:
        return await self.associate_default(from_type, to_type, [Pair(from_id, to_id)])

    async def associate_default(
        self, from_type: str, to_type: str, pairs: Sequence[Pair]
    ) -> Batch[DefaultAssociation]:
        async def call(every: list[Pair]) -> Batch[DefaultAssociation]:
            unique = list(dict.fromkeys(every))
            if len(unique) == 1:  # alone in its window: the provider's single-pair call
                only = unique[0]
                return await self._inner.create_default(
                    from_type, only.from_id, to_type, only.to_id
                )
            return await self._inner.associate_default(from_type, to_type, unique)

        key = (self._key, "default", from_type, to_type)
        batch, _ = await self._coalescer.submit(key, pairs, call)
        # A default association answers both directions (HubSpot's v4 replies carry both).
        mine = [*pairs, *(Pair(p.to_id, p.from_id) for p in pairs)]
        return _share(batch, mine, _default)


class _CoalescedBatches:
    def __init__(self, inner: BatchAssociations, coalescer: Coalescer, key: Hashable):
        self._inner, self._coalescer, self._key = inner, coalescer, key

    async def create_batch(
        self, from_type: str, to_type: str, inputs: Sequence[TypedPair]
    ) -> Batch[TypedPair]:
        async def call(every: list[TypedPair]) -> Batch[TypedPair]:
            return await self._inner.create_batch(from_type, to_type, every)

        key = (self._key, "batch", from_type, to_type)
        batch, _ = await self._coalescer.submit(key, inputs, call)
        return _share(batch, [i.pair for i in inputs], _typed)


class _CoalescedReads:
    def __init__(self, inner: AssociationReads, coalescer: Coalescer, key: Hashable):
        self._inner, self._coalescer, self._key = inner, coalescer, key

    async def read_associations(
        self, from_type: str, to_type: str, ids: Sequence[str]
    ) -> Mapping[str, list[AssociatedRecord] | ProviderError]:
        async def call(every: list[str]) -> Mapping[str, list[AssociatedRecord] | ProviderError]:
            return await self._inner.read_associations(
                from_type, to_type, list(dict.fromkeys(every))
            )

        key = (self._key, "read", from_type, to_type)
        by_id, _ = await self._coalescer.submit(key, ids, call)
        return {i: by_id[i] for i in ids if i in by_id}


class _CoalescedUnified:
    def __init__(self, inner: UnifiedAssociations, coalescer: Coalescer, key: Hashable):
        self._inner, self._coalescer, self._key = inner, coalescer, key

    async def create_associations(
        self, requests: Sequence[UnifiedAssociationRequest]
    ) -> list[UnifiedAssociationResult | ProviderError]:
        async def call(
            every: list[UnifiedAssociationRequest],
        ) -> list[UnifiedAssociationResult | ProviderError]:
            return await self._inner.create_associations(every)

        answers, offset = await self._coalescer.submit((self._key, "unified"), requests, call)
        return answers[offset : offset + len(requests)]


_WRAPPERS: dict[Capability[Any], Callable[[Any, Coalescer, Hashable], Any]] = {
    DEFAULT_ASSOCIATIONS: _CoalescedDefaults,
    BATCH_ASSOCIATIONS: _CoalescedBatches,
    ASSOCIATION_READS: _CoalescedReads,
    UNIFIED_ASSOCIATIONS: _CoalescedUnified,
}
