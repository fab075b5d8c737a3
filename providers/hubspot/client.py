"""HubSpot CRM associations: batch create, default, batch read, labels, and which records
exist (objects batch read); every path from paths.py."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Hashable, Mapping, Sequence
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any, TypeVar

from providers.base import HttpTransport, ProviderClient, Reply
from providers.batch_size import SizeKey, send_in_batches
from providers.batching import chunked, merge
from providers.capabilities import CallLimits
from providers.domain import (
    AssociatedRecord,
    AssociationLabel,
    AssociationSpec,
    Batch,
    BatchError,
    BatchStatus,
    Connection,
    DefaultAssociation,
    ErrorDetail,
    ItemError,
    Pair,
    Relation,
    RelationRequest,
    TypedPair,
    UnifiedAssociationRequest,
    UnifiedAssociationResult,
    UnifiedEntity,
)
from providers.errors import (
    Conflict,
    InvalidRequest,
    NotFound,
    ProviderError,
    Unavailable,
    Unsupported,
)
from providers.hubspot import wire
from providers.hubspot.paths import ROUTE_TEMPLATES, Endpoint, HubSpotPaths
from providers.hubspot.rules import DEFAULT_PAIRS, OBJECT_OF, RULES
from providers.hubspot.type_names import UnknownTypeName, dated_spec
from providers.observability import Routes
from providers.wire import M, WireModel, parse_wire

W = TypeVar("W", bound=WireModel)
R = TypeVar("R")
K = TypeVar("K", bound=Hashable)

# A whole chunk refused for what one input holds: 409 CONFLICT, 400 VALIDATION_ERROR.
_NARROWED = (Conflict, InvalidRequest)


class HubSpotClient(ProviderClient):
    """HubSpot's associations, on the API version of ``hubspot_api_version`` (paths.py)."""

    provider = "hubspot"
    routes = Routes(*ROUTE_TEMPLATES)

    def __init__(self, transport: HttpTransport, connection: Connection) -> None:
        super().__init__(transport, connection)
        self.paths = HubSpotPaths(self.settings.hubspot_api_version)

    def _base_url(self) -> str:
        return self.settings.hubspot_base_url

    async def _send_to(self, endpoint: Endpoint, *, safe: bool, json_body: Any = None) -> Reply:
        return await self._request(
            endpoint.method,
            endpoint.path,
            safe=safe,
            json_body=json_body,
            burst_exempt=endpoint.ten_secondly_exempt,
        )

    async def _in_batches(
        self,
        endpoint: Endpoint,
        forced: int | None,
        items: Sequence[K],
        send: Callable[[Sequence[K]], Awaitable[Batch[R]]],
    ) -> list[tuple[Sequence[K], Batch[R] | ProviderError]]:
        """Every item sent in batches: the forced size, else the documented maximum, halved
        (and remembered, by ``_size_key``) when HubSpot refuses a batch as too large."""
        assert endpoint.max_inputs is not None
        return await send_in_batches(
            items,
            send,
            sizes=self.transport.batch_sizes,
            key=self._size_key(endpoint),
            start=forced or endpoint.max_inputs,
            concurrency=self.settings.batch_concurrency,
            too_large=refused_as_too_large,
            narrow_on=_NARROWED,
        )

    def _size_key(self, endpoint: Endpoint) -> SizeKey:
        """Whose learnt size: this integration's, on this endpoint (any object types)."""
        return SizeKey(self.provider, self.connection.integration_id, endpoint.template)

    # https://developers.hubspot.com/docs/api-reference/crm-associations-v4/basic/put-crm-v4-objects-fromObjectType-fromObjectId-associations-default-toObjectType-toObjectId
    async def create_default(
        self, from_type: str, from_id: str, to_type: str, to_id: str
    ) -> Batch[DefaultAssociation]:
        endpoint = self.paths.put_default(from_type, from_id, to_type, to_id)
        # A PUT that HubSpot treats as idempotent: safe to repeat.
        reply = await self._send_to(endpoint, safe=True)
        return self._batch(reply, [Pair(from_id, to_id)], wire.DefaultResult, _default_result)

    # https://developers.hubspot.com/docs/api-reference/crm-associations-v4/batch/post-crm-v4-associations-fromObjectType-toObjectType-batch-associate-default
    async def associate_default(
        self, from_type: str, to_type: str, pairs: Sequence[Pair]
    ) -> Batch[DefaultAssociation]:
        """Default associations for many pairs, in batches at HubSpot's limit."""
        endpoint = self.paths.associate_default(from_type, to_type)

        async def send(chunk: Sequence[Pair]) -> Batch[DefaultAssociation]:
            body = {"inputs": [{"from": {"id": p.from_id}, "to": {"id": p.to_id}} for p in chunk]}
            reply = await self._send_to(endpoint, json_body=body, safe=True)
            return self._batch(reply, chunk, wire.DefaultResult, _default_result)

        unique = list(dict.fromkeys(pairs))
        outcomes = await self._in_batches(
            endpoint, self.settings.hubspot_v4_batch_limit, unique, send
        )
        return merge(
            unique, outcomes, pair_of=lambda p: p, result_key=lambda r: _forward(r, set(unique))
        )

    # https://developers.hubspot.com/docs/api-reference/crm-associations-v3/batch/post-crm-v3-associations-fromObjectType-toObjectType-batch-create
    async def create_batch(
        self, from_type: str, to_type: str, inputs: Sequence[TypedPair]
    ) -> Batch[TypedPair]:
        """Batch create, in batches at HubSpot's limit, merged in input order.

        Duplicates are sent once. On ``2026-09`` each v3 type name is sent as its category
        and type id (``type_names.py``); an input whose name has none fails alone, unsent.
        A 409 (or a 400 such as an unknown type name) refuses a whole chunk for one item, so
        the chunk is split until only that item fails.
        """
        endpoint = self.paths.batch_create(from_type, to_type)
        unique = list(dict.fromkeys(inputs))
        specs: dict[str, AssociationSpec] = {}
        refused: list[BatchError] = []
        if self.paths.dated:
            for name in dict.fromkeys(i.type for i in unique):
                try:
                    specs[name] = dated_spec(name, from_type, to_type)
                except UnknownTypeName as exc:
                    bad = tuple(dict.fromkeys(i.pair for i in unique if i.type == name))
                    refused.append(_bad_input(str(exc), name, bad))
            unique = [i for i in unique if i.type in specs]

        async def send(chunk: Sequence[TypedPair]) -> Batch[TypedPair]:
            body = _dated_inputs(chunk, specs) if self.paths.dated else _v3_inputs(chunk)
            # Creating an association that exists is not an error: safe to repeat.
            reply = await self._send_to(endpoint, json_body=body, safe=True)
            pairs = [i.pair for i in chunk]
            if not self.paths.dated:
                batch = self._batch(reply, pairs, wire.TypedResult, _typed_result)
            else:
                # 2026-09 answers each pair, not each type: a pair's result confirms its inputs.
                answered = self._batch(reply, pairs, wire.LabelsResult, _labels_pair)
                created = set(answered.results)
                batch = Batch(
                    status=answered.status,
                    results=[i for i in chunk if i.pair in created],
                    errors=answered.errors,
                    started_at=answered.started_at,
                    completed_at=answered.completed_at,
                    requested_at=answered.requested_at,
                    links=answered.links,
                )
            if reply.after_ambiguous and batch.errors:
                return await self._reconciled(from_type, to_type, chunk, batch)
            return batch

        forced = self._forced_create_size()
        outcomes = await self._in_batches(endpoint, forced, unique, send) if unique else []
        batch = merge(unique, outcomes, pair_of=lambda i: i.pair, result_key=lambda r: r)
        return replace(batch, errors=[*refused, *batch.errors]) if refused else batch

    def _forced_create_size(self) -> int | None:
        """The batch create size a setting forces on this API version, if any."""
        if self.paths.dated:
            return self.settings.hubspot_v4_batch_limit
        return self.settings.hubspot_v3_batch_limit

    def call_limits(self) -> CallLimits:
        """What ``create_batch`` sends now: the forced size, else the version's documented
        maximum (2,000 on 2026-09, 100 on v3), or less once HubSpot refused a larger batch
        from this integration; ``batch_concurrency`` calls at once."""
        endpoint = self.paths.batch_create("-", "-")  # the types do not change the limit
        assert endpoint.max_inputs is not None
        start = self._forced_create_size() or endpoint.max_inputs
        return CallLimits(
            per_call=self.transport.batch_sizes.size(self._size_key(endpoint), start),
            in_flight=self.settings.batch_concurrency,
        )

    async def _reconciled(
        self, from_type: str, to_type: str, chunk: Sequence[TypedPair], batch: Batch[TypedPair]
    ) -> Batch[TypedPair]:
        """Items the final attempt refused, after an earlier attempt that may have made them:
        read back, and the pairs that exist are confirmed, not reported failed."""
        failed = {p for e in batch.errors for p in e.items}
        try:
            existing = await self.read_associations(
                from_type, to_type, sorted({p.from_id for p in failed})
            )
        except ProviderError:
            return batch  # cannot tell: the items stay reported with HubSpot's reason
        made = {
            Pair(from_id, record.id)
            for from_id, records in existing.items()
            if isinstance(records, list)
            for record in records
        } & failed
        if not made:
            return batch
        return replace(
            batch,
            results=[*batch.results, *(i for i in chunk if i.pair in made)],
            errors=[
                replace(e, items=tuple(p for p in e.items if p not in made))
                for e in batch.errors
                if set(e.items) - made
            ],
        )

    # https://developers.hubspot.com/docs/api-reference/crm-associations-v4/basic/put-crm-v4-objects-objectType-objectId-associations-toObjectType-toObjectId
    async def create_relation(self, request: RelationRequest) -> Relation:
        """A labelled association: ``association_id`` is a label id from ``labels()``."""
        from_type, to_type, category, type_id = parse_label_id(request.association_id)
        endpoint = self.paths.put_labelled(
            from_type, request.first_record_id, to_type, request.second_record_id
        )
        body = [{"associationCategory": category, "associationTypeId": type_id}]
        # Associating with a label that is already there changes nothing: safe to repeat.
        reply = await self._send_to(endpoint, json_body=body, safe=True)
        return Relation(
            id=f"{from_type}/{request.first_record_id}/{to_type}/"
            f"{request.second_record_id}/{type_id}",
            location_id=None,
            association_id=request.association_id,
            first_record_id=request.first_record_id,
            second_record_id=request.second_record_id,
            first_object_key=from_type,
            second_object_key=to_type,
            raw=reply.body if isinstance(reply.body, dict) else {},
        )

    async def create_associations(
        self, requests: Sequence[UnifiedAssociationRequest]
    ) -> list[UnifiedAssociationResult | ProviderError]:
        """Truto's shape on HubSpot: default associations, one batch/associate/default per
        object pair for every request of the HTTP request (at HubSpot's batch limit)."""
        planned: list[list[tuple[UnifiedEntity, str, str]] | ProviderError] = []
        groups: dict[tuple[str, str], list[Pair]] = {}
        for request in requests:
            try:
                writes = _unified_plan(request)
            except ProviderError as exc:
                planned.append(exc)
                continue
            planned.append(writes)
            for _, to_type, to_id in writes:
                key = (OBJECT_OF[request.entity], to_type)
                groups.setdefault(key, []).append(Pair(request.entity_id, to_id))
        outcomes: dict[tuple[str, str], Batch[DefaultAssociation] | ProviderError] = {}
        for (from_type, to_type), pairs in groups.items():
            try:
                outcomes[(from_type, to_type)] = await self.associate_default(
                    from_type, to_type, pairs
                )
            except ProviderError as exc:
                outcomes[(from_type, to_type)] = exc
        answers: list[UnifiedAssociationResult | ProviderError] = []
        for request, plan in zip(requests, planned, strict=True):
            if isinstance(plan, ProviderError):
                answers.append(plan)
                continue
            try:
                answers.append(_unified_result(request, plan, outcomes))
            except ProviderError as exc:
                answers.append(exc)
        return answers

    # https://developers.hubspot.com/docs/api-reference/crm-associations-v4/batch/post-crm-v4-associations-fromObjectType-toObjectType-batch-read
    async def read_associations(
        self, from_type: str, to_type: str, ids: Sequence[str]
    ) -> dict[str, list[AssociatedRecord] | ProviderError]:
        """Every associated record of each id: one call per 1,000 ids, then ``paging``.

        A record with no associations comes back as HubSpot's NO_ASSOCIATIONS_FOUND error:
        that is an empty list, not a failure.
        """
        endpoint = self.paths.batch_read(from_type, to_type)
        found: dict[str, list[AssociatedRecord] | ProviderError] = {}
        pending: list[dict[str, str]] = [{"id": i} for i in dict.fromkeys(ids)]
        while pending:
            next_round: list[dict[str, str]] = []
            for chunk in chunked(pending, self.settings.hubspot_read_batch_limit):
                # A POST that only reads: safe to repeat.
                reply = await self._send_to(endpoint, json_body={"inputs": chunk}, safe=True)
                batch = parse_wire(
                    wire.BatchReply, reply.body, provider=self.provider, status=reply.status
                )
                for raw in batch.results:
                    result = parse_wire(
                        wire.ReadResult, raw, provider=self.provider, status=reply.status
                    )
                    records = found.setdefault(result.from_.id, [])
                    if isinstance(records, list):
                        records += [_associated(t) for t in result.to]
                    if result.paging and result.paging.next:
                        next_round.append(
                            {"id": result.from_.id, "after": result.paging.next.after}
                        )
                for error in batch.errors:
                    for record_id in _ids_in(error, "from"):
                        if error.sub_category == _NO_ASSOCIATIONS:
                            found.setdefault(record_id, [])
                        else:
                            found[record_id] = NotFound(
                                error.message,
                                provider=self.provider,
                                status=reply.status,
                                request_id=reply.request_id,
                            )
            pending = next_round
        return {i: found.get(i, []) for i in ids}

    # https://developers.hubspot.com/docs/api-reference/crm-objects/batch/post-crm-v3-objects-objectType-batch-read
    async def existing_records(self, object_type: str, ids: Sequence[str]) -> set[str]:
        """Which of ``ids`` are records of ``object_type``: one call per 100 ids.

        Asked only for ids the association read cannot vouch for: HubSpot's v4 batch read
        answers an unknown record and a record with no associations with the same
        NO_ASSOCIATIONS_FOUND error. Unknown ids come back in one OBJECT_NOT_FOUND error;
        any other error fails the call rather than report a record as unknown.
        """
        endpoint = self.paths.objects_batch_read(object_type)
        found: set[str] = set()
        assert endpoint.max_inputs is not None
        for chunk in chunked(list(dict.fromkeys(ids)), endpoint.max_inputs):
            body = {
                "inputs": [{"id": i} for i in chunk],
                "properties": [],
                "propertiesWithHistory": [],
            }
            # A POST that only reads: safe to repeat.
            reply = await self._send_to(endpoint, json_body=body, safe=True)
            batch = parse_wire(
                wire.BatchReply, reply.body, provider=self.provider, status=reply.status
            )
            other = [e for e in batch.errors if e.category != "OBJECT_NOT_FOUND"]
            if other:
                raise Unavailable(
                    other[0].message or "HubSpot could not read some records",
                    provider=self.provider,
                    status=reply.status,
                    request_id=reply.request_id,
                )
            for raw in batch.results:
                record = parse_wire(wire.ObjectId, raw, provider=self.provider, status=reply.status)
                found.add(str(record.id))
        return found

    # https://developers.hubspot.com/docs/api-reference/crm-associations-schema-v4/labels/get-crm-v4-associations-fromObjectType-toObjectType-labels
    async def labels(self, from_type: str, to_type: str) -> list[AssociationLabel]:
        reply = await self._send_to(self.paths.labels(from_type, to_type), safe=True)
        labels = parse_wire(
            wire.LabelsReply, reply.body, provider=self.provider, status=reply.status
        )
        return [
            AssociationLabel(
                t.category,
                t.type_id,
                t.label,
                id=label_id(from_type, to_type, t.category, t.type_id),
                from_object=from_type,
                to_object=to_type,
            )
            for t in labels.results
        ]

    def _batch(
        self,
        reply: Reply,
        pairs: Sequence[Pair],
        model: type[W],
        convert: Callable[[W], R],
    ) -> Batch[R]:
        def parse(model_: type[M], body: Any) -> M:
            return parse_wire(model_, body, provider=self.provider, status=reply.status)

        batch = parse(wire.BatchReply, reply.body)
        now = datetime.now(UTC)
        results = [convert(parse(model, r)) for r in batch.results]
        return Batch(
            status=_status(batch.status),
            results=results,
            errors=[_error(e, pairs, reply.request_id) for e in batch.errors],
            requested_at=batch.requested_at,
            started_at=batch.started_at or now,
            completed_at=batch.completed_at or now,
            links=batch.links,
        )


def label_id(from_type: str, to_type: str, category: str | None, type_id: int | None) -> str:
    """A label's id as ``associationLabels`` shows it and ``createRelation`` takes it back:
    ``contacts/companies/USER_DEFINED/1001`` (both object types, category, type id)."""
    return f"{from_type}/{to_type}/{category}/{type_id}"


def parse_label_id(value: str) -> tuple[str, str, str, int]:
    """``contacts/companies/USER_DEFINED/1001`` -> its parts; ``InvalidRequest`` if not one."""
    parts = value.split("/")
    if len(parts) != 4 or not parts[3].isdigit():
        raise InvalidRequest(
            f"associationId {value[:80]!r} is not a HubSpot label id: use an id from "
            "associationLabels, such as contacts/companies/HUBSPOT_DEFINED/279",
            provider="hubspot",
        )
    return parts[0], parts[1], parts[2], int(parts[3])


def _unified_plan(request: UnifiedAssociationRequest) -> list[tuple[UnifiedEntity, str, str]]:
    """(associated entity, its HubSpot object, record id) for every record of a request."""
    RULES.record_id(request.entity_id, "entityId")
    writes: list[tuple[UnifiedEntity, str, str]] = []
    for other, ids in request.associations.items():
        if (request.entity, other) not in DEFAULT_PAIRS:
            raise Unsupported(
                f"HubSpot has no default association from {OBJECT_OF[request.entity]} to "
                f"{OBJECT_OF[other]}",
                provider="hubspot",
            )
        writes += [
            (other, OBJECT_OF[other], RULES.record_id(i, f"associations.{other.value}"))
            for i in dict.fromkeys(ids)
        ]
    return writes


def _unified_result(
    request: UnifiedAssociationRequest,
    plan: list[tuple[UnifiedEntity, str, str]],
    outcomes: dict[tuple[str, str], Batch[DefaultAssociation] | ProviderError],
) -> UnifiedAssociationResult:
    confirmed: dict[UnifiedEntity, list[str]] = {}
    errors: list[ItemError] = []
    raw: list[Any] = []
    from_type = OBJECT_OF[request.entity]
    for other, to_type, to_id in plan:
        outcome = outcomes[(from_type, to_type)]
        if isinstance(outcome, ProviderError):
            raise outcome
        pair = Pair(request.entity_id, to_id)
        done = [r for r in outcome.results if Pair(r.from_id, r.to_id) == pair]
        if done:
            confirmed.setdefault(other, []).append(to_id)
            raw += [
                {
                    "from": {"id": r.from_id},
                    "to": {"id": r.to_id},
                    "associationSpec": {
                        "associationCategory": r.spec.category,
                        "associationTypeId": r.spec.type_id,
                    },
                }
                for r in done
            ]
            continue
        error = next((e for e in outcome.errors if pair in e.items), None)
        errors.append(
            ItemError(
                other,
                to_id,
                (error.category if error else None) or "MISSING_FROM_REPLY",
                error.message if error else "HubSpot reported nothing for this record",
            )
        )
    return UnifiedAssociationResult(
        entity_id=request.entity_id,
        entity=request.entity,
        associations=confirmed,
        errors=errors,
        raw=raw,
    )


def _default_result(r: wire.DefaultResult) -> DefaultAssociation:
    return DefaultAssociation(
        from_id=r.from_.id,
        to_id=r.to.id,
        spec=AssociationSpec(
            r.association_spec.association_category, r.association_spec.association_type_id
        ),
    )


def _typed_result(r: wire.TypedResult) -> TypedPair:
    return TypedPair(r.from_.id, r.to.id, r.type)


def _labels_pair(r: wire.LabelsResult) -> Pair:
    return Pair(r.from_object_id, r.to_object_id)


def _v3_inputs(chunk: Sequence[TypedPair]) -> dict[str, Any]:
    return {
        "inputs": [
            {"from": {"id": i.from_id}, "to": {"id": i.to_id}, "type": i.type} for i in chunk
        ]
    }


def _dated_inputs(chunk: Sequence[TypedPair], specs: Mapping[str, AssociationSpec]) -> Any:
    """One input per pair, with every type asked for it (2026-09 takes a list of types)."""
    types: dict[Pair, dict[AssociationSpec, None]] = {}
    for i in chunk:
        types.setdefault(i.pair, {})[specs[i.type]] = None
    return {
        "inputs": [
            {
                "from": {"id": pair.from_id},
                "to": {"id": pair.to_id},
                "types": [
                    {"associationCategory": s.category, "associationTypeId": s.type_id}
                    for s in kinds
                ],
            }
            for pair, kinds in types.items()
        ]
    }


def _bad_input(message: str, name: str, pairs: tuple[Pair, ...]) -> BatchError:
    return BatchError(
        message=message, category="BAD_USER_INPUT", context={"type": [name]}, items=pairs
    )


# HubSpot refuses a batch over its limit with a 400 whose message names the batch size (no
# code of its own); a 413 says the same of the body.
_TOO_LARGE = re.compile(
    r"\b(?:batch|inputs?)\b.*\b(?:size|limit|max\w*|exceed\w*|too (?:many|large))\b",
    re.IGNORECASE,
)


def refused_as_too_large(exc: ProviderError) -> bool:
    """Whether HubSpot refused a whole batch for its size (so a smaller one may pass)."""
    if not isinstance(exc, InvalidRequest):
        return False
    return exc.status == 413 or bool(_TOO_LARGE.search(exc.message))


def _forward(result: DefaultAssociation, asked: set[Pair]) -> Pair | None:
    """The input a default-association result answers (HubSpot also returns the reverse)."""
    pair = Pair(result.from_id, result.to_id)
    return pair if pair in asked else None


_NO_ASSOCIATIONS = "crm.associations.NO_ASSOCIATIONS_FOUND"


def _associated(to: wire.ToObject) -> AssociatedRecord:
    return AssociatedRecord(
        to.to_object_id,
        tuple(AssociationLabel(t.category, t.type_id, t.label) for t in to.association_types),
    )


def _ids_in(e: wire.StandardErrorWire, side: str) -> set[str]:
    """Record ids an error's context names on one side (``from``), or under generic keys."""
    ids: set[str] = set()
    for context in (e.context, *(d.context for d in e.errors)):
        for key, values in context.items():
            lowered = key.lower()
            if "id" not in lowered:  # fromObjectType and the like name types, not records
                continue
            if side in lowered or not ("from" in lowered or "to" in lowered):
                ids.update(values)
    return ids


def _status(value: str) -> BatchStatus:
    try:
        return BatchStatus(value)
    except ValueError:
        return BatchStatus.COMPLETE


def _error(e: wire.StandardErrorWire, pairs: Sequence[Pair], request_id: str | None) -> BatchError:
    return BatchError(
        message=e.message,
        status=e.status,
        category=e.category,
        sub_category=e.sub_category if isinstance(e.sub_category, str) else None,
        id=e.id,
        context=e.context,
        errors=tuple(
            ErrorDetail(d.message, d.code, d.in_, d.sub_category, d.context) for d in e.errors
        ),
        links=e.links,
        items=_items_named(e, pairs),
        request_id=request_id,
    )


def _items_named(e: wire.StandardErrorWire, pairs: Sequence[Pair]) -> tuple[Pair, ...]:
    """The inputs an error is about, from the record ids HubSpot lists in its context."""
    from_ids, to_ids = _ids_in(e, "from"), _ids_in(e, "to")
    return tuple(p for p in pairs if p.from_id in from_ids or p.to_id in to_ids)


__all__ = ["HubSpotClient", "ProviderError"]
