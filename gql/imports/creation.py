"""The one door an import creates associations through, whatever the CRM.

``batch_creation`` asks the registry for the integration's ``BatchAssociations`` capability
(``UnsupportedProvider`` when its CRM has none), so an import works on every CRM that
declares one in ``providers/<crm>/support.py``.
"""

from __future__ import annotations

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
)
from providers.domain import Batch, CrmProvider, TypedPair
from providers.errors import BadInput

# CRMs whose batch create writes nothing for a pair that exists (HubSpot: creating an
# association that exists is not an error), so a window in flight at a crash may be sent
# again. Any other CRM's window is reconciled against its reads first. (A provider fact kept
# here until the capability registry can say it: providers/capabilities.py's Provides.)
_IDEMPOTENT = {CrmProvider.HUBSPOT}

# A window's share per call when no HubSpot size is forced: HubSpot's documented v3 figure.
# On the date-versioned API a whole window then goes out as one call (its maximum is 2,000).
WINDOW_CALL_SIZE = 100


@dataclass(frozen=True)
class BatchCreation:
    """An integration's batch creation, with what an import must know to use it safely."""

    batch: BatchAssociations
    reads: AssociationReads | None
    # Items per window, the unit of a checkpoint: a batch call's worth (HubSpot's v3 limit,
    # 100; Salesforce's collections take 200, HighLevel one a call) times the calls allowed in
    # flight, so a window keeps the batch's concurrency busy.
    window: int
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
    limits = transport.settings
    return BatchCreation(
        batch=batch,
        reads=reads,
        # A forced v3 size when set; else WINDOW_CALL_SIZE (the client adapts below it).
        window=(limits.hubspot_v3_batch_limit or WINDOW_CALL_SIZE) * limits.batch_concurrency,
        idempotent=integration.provider in _IDEMPOTENT,
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
