"""The one door an import creates associations through, whatever the CRM.

``batch_creation`` asks the registry for the integration's ``BatchAssociations`` capability
(``UnsupportedProvider`` when its CRM has none), so an import works on every CRM that
declares one in ``providers/<crm>/support.py``; the window comes from that capability's own
call limits, and whether a window may be sent again from the provider's declaration.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from gql.loaders import Found
from providers import registry
from providers.base import HttpTransport
from providers.capabilities import (
    ASSOCIATION_READS,
    BATCH_ASSOCIATIONS,
    AssociationReads,
    BatchAssociations,
    CallLimits,
)
from providers.domain import Batch, CrmProvider, TypedPair
from providers.errors import BadInput

# A window is the unit of a checkpoint: what a crash may send again (or read back), and how
# often progress moves and a cancel is seen. It is a whole number of the provider's calls,
# one for each call it runs at once, within two bounds:
# - at most MAX_WINDOW items: a crash resends (or reads back) at most that many, one
#   transaction records at most that many outcomes (the store's IN lists stay far below the
#   bind parameters a statement takes: 32,767 on PostgreSQL, 32,766 on SQLite since 3.32),
#   and a 100,000-item import moves its progress at least ten times (HubSpot's 2,000 a call
#   at 32 in flight would be 64,000);
# - at least MIN_WINDOW items: each window also costs fixed work (the job read again, one or
#   two commits, HighLevel's association definitions read before its relations), which at
#   HighLevel's one relation a call and 4 in flight would be spent on every 4 relations.
MAX_WINDOW = 10_000
MIN_WINDOW = 100


def window_of(limits: CallLimits) -> int:
    """Items per window: ``per_call`` times the calls in flight, within the bounds above."""
    per_call = max(1, limits.per_call)
    calls = max(limits.in_flight, math.ceil(MIN_WINDOW / per_call))
    return per_call * max(1, min(calls, MAX_WINDOW // per_call))


@dataclass(frozen=True)
class BatchCreation:
    """An integration's batch creation, with what an import must know to use it safely."""

    batch: BatchAssociations
    reads: AssociationReads | None
    window: int  # items per window (window_of the capability's CallLimits)
    # The provider writes nothing twice when a window is sent again (registry): a window in
    # flight at a crash is resent, else reconciled against ``reads`` first.
    idempotent: bool

    async def create(
        self, from_type: str, to_type: str, items: Sequence[TypedPair]
    ) -> Batch[TypedPair]:
        return await self.batch.create_batch(from_type, to_type, items)

    async def existing(
        self, from_type: str, to_type: str, items: Sequence[TypedPair]
    ) -> set[TypedPair] | None:
        """The items whose pair is already associated, or None when this CRM cannot say."""
        if self.reads is None:
            return None
        found = await self.reads.read_associations(
            from_type, to_type, list(dict.fromkeys(i.from_id for i in items))
        )
        present = {
            (from_id, r.id)
            for from_id, records in found.items()
            if isinstance(records, list)
            for r in records
        }
        return {i for i in items if (i.from_id, i.to_id) in present}


def batch_creation(transport: HttpTransport, found: Found) -> BatchCreation:
    integration, connection = found
    batch = registry.implementation(BATCH_ASSOCIATIONS, transport, connection)
    reads = (
        registry.implementation(ASSOCIATION_READS, transport, connection)
        if registry.supports(integration.provider, ASSOCIATION_READS)
        else None
    )
    return BatchCreation(
        batch=batch,
        reads=reads,
        window=window_of(batch.call_limits()),
        idempotent=registry.repeatable_batch_create(integration.provider),
    )


def check_item(provider: CrmProvider, from_id: str, to_id: str, type_: str) -> str | None:
    """Why one input cannot be sent to this provider, or None (checked before any call)."""
    rules = registry.rules(provider)
    try:
        rules.record_id(from_id, "from.id")
        rules.record_id(to_id, "to.id")
        rules.association_type(type_, "type")
    except BadInput as exc:
        return exc.message
    return None
