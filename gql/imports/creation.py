"""The one door an import creates associations through, whatever the CRM.

``batch_creation`` answers the integration's batch creation or raises ``Unsupported``. Today
only HubSpot has one (v3 batch create); when the capability registry lands
(``providers/capabilities.py``: a BatchAssociations capability per CRM), this function asks it
instead, and nothing else in the import changes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from gql import validation as check
from gql.errors import ApiError
from gql.loaders import Found
from providers.base import HttpTransport
from providers.domain import Batch, CrmProvider, TypedPair
from providers.errors import Unsupported
from providers.hubspot.client import HubSpotClient


@dataclass(frozen=True)
class BatchCreation:
    """An integration's batch creation, with what an import must know to use it safely."""

    client: HubSpotClient
    # Items per window: what one checkpoint covers (the provider's batch limit times the
    # calls allowed in flight, so a window keeps the batch's concurrency busy).
    window: int
    # Creating a pair that exists is not an error and writes nothing: a window in flight at
    # a crash may be sent again. When False, the window is reconciled first (``existing``).
    idempotent: bool

    async def create(
        self, from_type: str, to_type: str, items: Sequence[TypedPair]
    ) -> Batch[TypedPair]:
        return await self.client.create_batch(from_type, to_type, items)

    async def existing(
        self, from_type: str, to_type: str, items: Sequence[TypedPair]
    ) -> set[TypedPair]:
        """The items whose pair is already associated (a read, safe to repeat)."""
        found = await self.client.read_associations(
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
    if integration.provider is not CrmProvider.HUBSPOT:
        raise Unsupported(
            f"{integration.provider.name} integrations have no batch association create",
            provider=integration.provider.value,
        )
    limits = transport.settings
    return BatchCreation(
        client=HubSpotClient(transport, connection),
        window=limits.hubspot_v3_batch_limit * limits.batch_concurrency,
        idempotent=True,
    )


def check_item(provider: CrmProvider, from_id: str, to_id: str, type_: str) -> str | None:
    """Why one input cannot be sent to this provider, or None (checked before any call)."""
    try:
        if provider is CrmProvider.HUBSPOT:
            check.hubspot_record_id(from_id, "from.id")
            check.hubspot_record_id(to_id, "to.id")
            check.hubspot_association_type(type_, "type")
    except ApiError as exc:
        return exc.message
    return None


def check_object_type(provider: CrmProvider, value: str, what: str) -> str:
    if provider is CrmProvider.HUBSPOT:
        return check.hubspot_object_type(value, what)
    return check.object_type(value, what)
