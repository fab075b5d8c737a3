"""HighLevel (LeadConnector) associations: relations between two records."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Hashable, Sequence
from datetime import UTC, datetime
from typing import Any, TypeVar
from urllib.parse import quote

from providers.base import ProviderClient, Reply
from providers.batching import merge, send_all
from providers.capabilities import CallLimits, DefaultsAsBatches
from providers.domain import (
    AssociatedRecord,
    AssociationLabel,
    AssociationSpec,
    Batch,
    BatchError,
    BatchStatus,
    DefaultAssociation,
    ItemError,
    Pair,
    Relation,
    RelationRequest,
    TypedPair,
    UnifiedAssociationRequest,
    UnifiedAssociationResult,
    UnifiedEntity,
)
from providers.errors import AlreadyExists, InvalidRequest, NotFound, ProviderError, Unsupported
from providers.leadconnector import wire
from providers.leadconnector.rules import KEY_OF, RULES
from providers.observability import Routes
from providers.wire import parse_wire

K = TypeVar("K", bound=Hashable)
R = TypeVar("R")
SYSTEM_DEFINED = "SYSTEM_DEFINED"
ACC, CON, OPP = UnifiedEntity.ACCOUNTS, UnifiedEntity.CONTACTS, UnifiedEntity.OPPORTUNITIES

# Pairs with an endpoint of their own: the contacts' business, an opportunity's contactId.
_DIRECT_PAIRS = frozenset({(ACC, CON), (CON, ACC), (OPP, CON), (CON, OPP)})
# Refusals about one item (a record or an association that is not there): reported on it.
ITEM_ERRORS = (InvalidRequest, NotFound)

# Every LeadConnector call must name the API version it speaks.
API_VERSION = "2021-07-28"
PAGE_SIZE = 100


class LeadConnectorClient(DefaultsAsBatches, ProviderClient):
    provider = "leadconnector"
    routes = Routes(
        "/associations/relations",
        "/associations/relations/{recordId}",
        "/opportunities/{id}",
    )

    def _base_url(self) -> str:
        return self.settings.leadconnector_base_url

    def _headers(self) -> dict[str, str]:
        return {**super()._headers(), "Version": API_VERSION}

    # https://highlevel.stoplight.io/docs/integrations/ (Associations > Create Relation)
    async def create_relation(self, request: RelationRequest) -> Relation:
        location_id = RULES.location(request.location_id, self.connection)
        body = {
            "locationId": location_id,
            "associationId": request.association_id,
            "firstRecordId": request.first_record_id,
            "secondRecordId": request.second_record_id,
        }

        async def made() -> Reply | None:
            # Read back: the relation, answered as its create would have been, if it exists.
            found = await self._relation(location_id, request)
            return Reply(200, {}, found) if found is not None else None

        # Not safe to repeat blindly: a second create answers 400 "duplicate relation". After
        # a lost reply it is read back first, and sent again only if it was not made.
        reply = await self._request(
            "POST", "/associations/relations", json_body=body, safe=False, reconcile=made
        )
        raw: dict[str, Any] = reply.body if isinstance(reply.body, dict) else {}
        # Some replies wrap the relation; accept both shapes.
        data = raw.get("relation", raw) if isinstance(raw.get("relation"), dict) else raw
        relation = parse_wire(wire.RelationWire, data, provider=self.provider, status=reply.status)
        return Relation(
            id=relation.id,
            location_id=relation.location_id or location_id,
            association_id=relation.association_id or request.association_id,
            first_record_id=relation.first_record_id or request.first_record_id,
            second_record_id=relation.second_record_id or request.second_record_id,
            first_object_key=relation.first_object_key,
            second_object_key=relation.second_object_key,
            raw=raw,
        )

    async def read_associations(
        self, from_type: str, to_type: str, ids: Sequence[str]
    ) -> dict[str, list[AssociatedRecord] | ProviderError]:
        location_id = RULES.location(None, self.connection)
        # HighLevel has no batch read: one call per record, which is all its API offers.
        return {i: await self.relations_of(location_id, i) for i in dict.fromkeys(ids)}

    async def labels(self, from_type: str, to_type: str) -> list[AssociationLabel]:
        """The location's association definitions between the two object keys."""
        definitions = await self.association_definitions(RULES.location(None, self.connection))
        wanted = {from_type, to_type}
        return [d for d in definitions if {d.from_object, d.to_object} == wanted]

    async def _relation(self, location_id: str, request: RelationRequest) -> dict[str, Any] | None:
        """The relation ``request`` asks for, as HighLevel lists it, if it exists."""
        wanted = {request.first_record_id, request.second_record_id}
        async for raw in self._relations(location_id, request.first_record_id):
            relation = parse_wire(wire.RelationWire, raw, provider=self.provider, status=200)
            ends = {relation.first_record_id, relation.second_record_id}
            if relation.association_id == request.association_id and ends == wanted:
                return dict(raw)
        return None

    # https://highlevel.stoplight.io/docs/integrations/ (Associations > relations by record id)
    async def _relations(self, location_id: str, record_id: str) -> AsyncIterator[Any]:
        """Every relation of one record, as HighLevel sends them, all pages."""
        skip = 0
        while True:
            reply = await self._request(
                "GET",
                f"/associations/relations/{quote(record_id, safe='')}",
                params={"locationId": location_id, "skip": str(skip), "limit": str(PAGE_SIZE)},
                safe=True,
            )
            page = parse_wire(
                wire.RelationsPage, reply.body, provider=self.provider, status=reply.status
            )
            raw = reply.body.get("relations", []) if isinstance(reply.body, dict) else []
            for item in raw:
                yield item
            skip += len(page.relations)
            if not page.relations or skip >= page.total:
                return

    async def relations_of(self, location_id: str, record_id: str) -> list[AssociatedRecord]:
        """The records related to one record, across every association, all pages."""
        related: list[AssociatedRecord] = []
        async for raw in self._relations(location_id, record_id):
            r = parse_wire(wire.RelationWire, raw, provider=self.provider, status=200)
            first = r.first_record_id == record_id
            other = r.second_record_id if first else r.first_record_id
            if other is None:
                continue
            label = AssociationLabel(
                category=None,
                id=r.association_id,
                from_object=r.first_object_key if first else r.second_object_key,
                to_object=r.second_object_key if first else r.first_object_key,
            )
            related.append(AssociatedRecord(other, (label,)))
        return related

    async def _relate(self, location_id: str, association_id: str, first: str, second: str) -> bool:
        """Create one relation; ``False`` when it existed already (not an error here, as
        HubSpot treats an existing association)."""
        try:
            await self.create_relation(RelationRequest(association_id, first, second, location_id))
        except AlreadyExists:
            return False
        return True

    async def _definition_between(
        self, location_id: str, first_key: str, second_key: str, *, system_only: bool
    ) -> tuple[AssociationLabel, bool] | None:
        """The location's association between two object keys and whether it runs the other
        way (second -> first); the built-in (SYSTEM_DEFINED) one when ``system_only``."""
        for d in await self.association_definitions(location_id):
            if system_only and d.category != SYSTEM_DEFINED:
                continue
            if (d.from_object, d.to_object) == (first_key, second_key):
                return d, False
            if (d.from_object, d.to_object) == (second_key, first_key):
                return d, True
        return None

    # --- createDefaultAssociation ----------------------------------------------------------

    async def associate_default(
        self, from_type: str, to_type: str, pairs: Sequence[Pair]
    ) -> Batch[DefaultAssociation]:
        """The location's built-in association between the two object keys, one relation per
        pair (HighLevel has no bulk endpoint), at most ``batch_concurrency`` at once."""
        location_id = RULES.location(None, self.connection)
        found = await self._definition_between(location_id, from_type, to_type, system_only=True)
        if found is None:
            raise Unsupported(
                f"this HighLevel location has no built-in association between {from_type} "
                f"and {to_type}",
                provider=self.provider,
            )
        definition, reverse = found
        spec = AssociationSpec(SYSTEM_DEFINED, 0)

        async def send(chunk: Sequence[Pair]) -> Batch[DefaultAssociation]:
            pair = chunk[0]
            first, second = (pair.to_id, pair.from_id) if reverse else (pair.from_id, pair.to_id)
            return await _one_item(
                pair,
                lambda: self._relate(location_id, definition.id or "", first, second),
                DefaultAssociation(pair.from_id, pair.to_id, spec),
            )

        return await self._one_by_one(
            pairs, send, pair_of=lambda p: p, result_key=lambda r: Pair(r.from_id, r.to_id)
        )

    # --- batchCreateAssociations -----------------------------------------------------------

    async def create_batch(
        self, from_type: str, to_type: str, inputs: Sequence[TypedPair]
    ) -> Batch[TypedPair]:
        """One relation per input (``type`` is an association id from associationLabels),
        at most ``batch_concurrency`` at once under the location's rate budget."""
        location_id = RULES.location(None, self.connection)
        definitions = {d.id: d for d in await self.association_definitions(location_id)}

        async def send(chunk: Sequence[TypedPair]) -> Batch[TypedPair]:
            item = chunk[0]
            definition = definitions.get(item.type)
            reverse = definition is not None and (definition.from_object, definition.to_object) == (
                to_type,
                from_type,
            )
            first, second = (item.to_id, item.from_id) if reverse else (item.from_id, item.to_id)
            return await _one_item(
                item.pair, lambda: self._relate(location_id, item.type, first, second), item
            )

        return await self._one_by_one(
            inputs, send, pair_of=lambda i: i.pair, result_key=lambda r: r
        )

    def call_limits(self) -> CallLimits:
        """HighLevel has no bulk relations endpoint: one relation a call, at most
        ``batch_concurrency`` at once."""
        return CallLimits(per_call=1, in_flight=self.settings.batch_concurrency)

    async def _one_by_one(
        self,
        items: Sequence[K],
        send: Callable[[Sequence[K]], Awaitable[Batch[R]]],
        *,
        pair_of: Callable[[K], Pair],
        result_key: Callable[[R], K | None],
    ) -> Batch[R]:
        """HighLevel has no bulk endpoint: one call per distinct item, at most
        ``batch_concurrency`` at once, merged so that every item is accounted for."""
        unique = list(dict.fromkeys(items))
        chunks = [[i] for i in unique]
        outcomes = await send_all(chunks, send, self.settings.batch_concurrency)
        return merge(unique, outcomes, pair_of=pair_of, result_key=result_key)

    # --- createAssociation -----------------------------------------------------------------

    async def create_associations(
        self, requests: Sequence[UnifiedAssociationRequest]
    ) -> list[UnifiedAssociationResult | ProviderError]:
        answers: list[UnifiedAssociationResult | ProviderError] = []
        for request in requests:
            try:
                answers.append(await self._associate_unified(request))
            except ProviderError as exc:
                answers.append(exc)
        return answers

    async def _associate_unified(
        self, request: UnifiedAssociationRequest
    ) -> UnifiedAssociationResult:
        """Truto's shape on HighLevel: contacts and a business through the contacts' business
        endpoint, an opportunity and its contact through ``contactId``, other pairs through
        the location's association definition between the two object keys."""
        location_id = RULES.location(None, self.connection)
        entity_id = RULES.record_id(request.entity_id, "entityId")
        confirmed: dict[UnifiedEntity, list[str]] = {}
        errors: list[ItemError] = []
        raw: list[Any] = []
        # Every check before any call: a refused request writes nothing.
        lists: dict[UnifiedEntity, list[str]] = {}
        for other, ids in request.associations.items():
            if request.entity not in KEY_OF or other not in KEY_OF:
                raise Unsupported(
                    "HighLevel has no leads object: use contacts", provider=self.provider
                )
            what = f"associations.{other.value}"
            lists[other] = [RULES.record_id(i, what) for i in dict.fromkeys(ids)]
            if (request.entity, other) in ((CON, ACC), (OPP, CON)) and len(lists[other]) != 1:
                raise InvalidRequest(
                    f"a {KEY_OF[request.entity]} has one {KEY_OF[other]}: give exactly one of "
                    f"{other.value}, not {len(lists[other])}",
                    provider=self.provider,
                )
        # Pairs without an endpoint of their own go through a definition: found (or refused)
        # before the first write too.
        through: dict[UnifiedEntity, tuple[AssociationLabel, bool]] = {}
        for other in lists:
            if (request.entity, other) in _DIRECT_PAIRS:
                continue
            found = await self._definition_between(
                location_id, KEY_OF[request.entity], KEY_OF[other], system_only=False
            )
            if found is None:
                raise Unsupported(
                    f"this HighLevel location has no association between "
                    f"{KEY_OF[request.entity]} and {KEY_OF[other]}",
                    provider=self.provider,
                )
            through[other] = found
        for other, unique in lists.items():
            pair = (request.entity, other)
            done: list[str] = []
            failed: list[tuple[str, ProviderError]] = []
            if pair == (ACC, CON):
                updated = await self._set_business(location_id, unique, entity_id)
                done = [i for i in unique if i in updated]
            elif pair == (CON, ACC):
                updated = await self._set_business(location_id, [entity_id], unique[0])
                done = unique if entity_id in updated else []
            elif pair in ((OPP, CON), (CON, OPP)):
                for i in unique:
                    opportunity, contact = (entity_id, i) if pair == (OPP, CON) else (i, entity_id)
                    try:
                        raw.append(await self._set_contact(opportunity, contact))
                        done.append(i)
                    except ITEM_ERRORS as exc:
                        failed.append((i, exc))
            else:
                definition, reverse = through[other]
                for i in unique:
                    first, second = (i, entity_id) if reverse else (entity_id, i)
                    try:
                        await self._relate(location_id, definition.id or "", first, second)
                        done.append(i)
                    except ITEM_ERRORS as exc:
                        failed.append((i, exc))
            if done:
                confirmed[other] = done
            missing = [i for i in unique if i not in done and i not in dict(failed)]
            errors += [
                ItemError(other, i, "NOT_FOUND", "HighLevel did not update it") for i in missing
            ]
            errors += [ItemError(other, i, _code(exc), exc.message) for i, exc in failed]
        return UnifiedAssociationResult(request.entity_id, request.entity, confirmed, errors, raw)

    # https://highlevel.stoplight.io/docs/integrations/ (Contacts > Add/Remove From Business)
    async def _set_business(self, location_id: str, ids: list[str], business_id: str) -> set[str]:
        body = {"locationId": location_id, "ids": ids, "businessId": business_id}
        # Setting the same business again changes nothing: safe to repeat.
        reply = await self._request("POST", "/contacts/bulk/business", json_body=body, safe=True)
        parsed = parse_wire(
            wire.BulkUpdateReply, reply.body, provider=self.provider, status=reply.status
        )
        return set(parsed.ids)

    # https://highlevel.stoplight.io/docs/integrations/ (Opportunities > Update Opportunity)
    async def _set_contact(self, opportunity_id: str, contact_id: str) -> Any:
        path = f"/opportunities/{quote(opportunity_id, safe='')}"
        reply = await self._request("PUT", path, json_body={"contactId": contact_id}, safe=True)
        return reply.body

    # https://highlevel.stoplight.io/docs/integrations/ (Associations > Get all associations)
    async def association_definitions(self, location_id: str) -> list[AssociationLabel]:
        labels: list[AssociationLabel] = []
        skip = 0
        while True:
            reply = await self._request(
                "GET",
                "/associations/",
                params={"locationId": location_id, "skip": str(skip), "limit": str(PAGE_SIZE)},
                safe=True,
            )
            page = parse_wire(
                wire.DefinitionsPage, reply.body, provider=self.provider, status=reply.status
            )
            labels += [
                AssociationLabel(
                    category=d.association_type,
                    label=d.first_object_label,
                    id=d.id,
                    key=d.key,
                    from_object=d.first_object_key,
                    to_object=d.second_object_key,
                )
                for d in page.associations
            ]
            skip += len(page.associations)
            if not page.associations or skip >= page.total:
                return labels


def _code(exc: ProviderError) -> str:
    return "NOT_FOUND" if isinstance(exc, NotFound) else "INVALID_REQUEST"


async def _one_item(pair: Pair, call: Callable[[], Awaitable[bool]], result: R) -> Batch[R]:
    """One input's outcome as a batch: its result, or an error naming it (item refusals only;
    a whole-call failure such as authentication propagates)."""
    now = datetime.now(UTC)
    try:
        await call()
    except ITEM_ERRORS as exc:
        error = BatchError(
            message=exc.message,
            category=_code(exc),
            items=(pair,),
            request_id=exc.request_id,
        )
        return Batch(BatchStatus.COMPLETE, [], [error], now, datetime.now(UTC))
    return Batch(BatchStatus.COMPLETE, [result], [], now, datetime.now(UTC))
