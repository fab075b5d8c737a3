"""Salesforce: associations as lookup fields and junction rows, via sObject Collections."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TypeVar

from providers.base import ProviderClient, Reply
from providers.batching import chunked, error_for_items
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
from providers.errors import (
    AlreadyExists,
    InvalidRequest,
    ProviderError,
    Unsupported,
    WireFormatError,
)
from providers.observability import Routes
from providers.salesforce import wire
from providers.salesforce.mapping import (
    JUNCTIONS,
    Junction,
    JunctionWrite,
    LookupWrite,
    Plan,
    entity_named,
    junctions_between,
    plan,
    read_query,
    relationship_named,
    relationship_of,
    sobject_of,
)
from providers.salesforce.rules import validate_instance_url
from providers.wire import parse_wire

R = TypeVar("R")


@dataclass(frozen=True)
class Saved:
    """One record's SaveResult, and the provider's own JSON for it (``responseFormat: RAW``)."""

    result: wire.SaveResult
    raw: Any


def _soql_list(ids: Sequence[str]) -> str:
    # Ids are checked against the Salesforce id pattern before they get here.
    return ", ".join(f"'{i}'" for i in ids)


class SalesforceClient(DefaultsAsBatches, ProviderClient):
    provider = "salesforce"
    routes = Routes(
        "/services/data/{version}/composite/sobjects",
        "/services/data/{version}/query",
        "/services/data/{version}/query/{cursor}",  # nextRecordsUrl
    )

    def _base_url(self) -> str:
        return validate_instance_url(
            self.connection.instance_url, allow_insecure=self.settings.allow_insecure_upstreams
        )

    def _data(self, path: str) -> str:
        return f"/services/data/{self.settings.salesforce_api_version}{path}"

    # https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_composite_sobjects_collections_update.htm
    async def update_records(
        self, records: Sequence[Mapping[str, Any]], params: Mapping[str, str] | None = None
    ) -> list[Saved]:
        """PATCH records in collections of at most 200; one outcome per record, in order."""
        # Setting a field to the same value twice has the same effect: safe to repeat.
        return await self._collections("PATCH", records, params, safe=True)

    # https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_composite_sobjects_collections_create.htm
    async def create_records(
        self, records: Sequence[Mapping[str, Any]], params: Mapping[str, str] | None = None
    ) -> list[Saved]:
        """POST new records in collections of at most 200; one outcome per record, in order.

        A repeated create makes a second row, so after a lost reply (a 5xx, a timeout, a
        dropped connection) junction rows are read back by SOQL for their pairs: those made
        are confirmed with their ids, and only the others are sent again. Other records are
        never sent twice.
        """
        saved: list[Saved] = []
        for chunk in chunked(records, self.settings.salesforce_collection_limit):
            saved += await self._create_chunk(chunk, params)
        return saved

    async def _create_chunk(
        self, chunk: Sequence[Mapping[str, Any]], params: Mapping[str, str] | None
    ) -> list[Saved]:
        path = self._data("/composite/sobjects")
        made: dict[int, Saved] = {}  # by position in the chunk: rows an earlier attempt made
        pending = list(range(len(chunk)))

        observed = self._observed({"records": chunk})  # one per call: it counts the attempts

        async def once(remaining: float) -> list[Saved]:
            body = {"allOrNone": False, "records": [chunk[i] for i in pending]}
            reply = await self._send("POST", path, body, params, remaining, observed)
            saved = self._save_results(reply, len(pending))
            return _in_order(made, zip(pending, saved, strict=True))

        async def reconcile() -> list[Saved] | None:
            assert junction is not None
            pairs = {i: _pair_in(junction, chunk[i]) for i in pending}
            ids = await self._junction_ids(junction, list(pairs.values()))
            for i, pair in pairs.items():
                if (found := ids.get(pair)) is not None:
                    made[i] = Saved(wire.SaveResult(id=found, success=True), _made(found))
                    pending.remove(i)
            return _in_order(made, ()) if not pending else None

        # Reconciled when every record is a row of one junction object (pairs can be read).
        junction = _junction_of(chunk)
        return await self._call(once, safe=False, reconcile=reconcile if junction else None)

    async def _collections(
        self,
        method: str,
        records: Sequence[Mapping[str, Any]],
        params: Mapping[str, str] | None,
        *,
        safe: bool,
    ) -> list[Saved]:
        saved: list[Saved] = []
        for chunk in chunked(records, self.settings.salesforce_collection_limit):
            body = {"allOrNone": False, "records": list(chunk)}
            reply = await self._request(
                method, self._data("/composite/sobjects"), json_body=body, params=params, safe=safe
            )
            saved += self._save_results(reply, len(chunk))
        return saved

    def _save_results(self, reply: Reply, expected: int) -> list[Saved]:
        if not isinstance(reply.body, list) or len(reply.body) != expected:
            raise WireFormatError(
                "sObject Collections did not answer one SaveResult per record",
                provider=self.provider,
                status=reply.status,
                body=reply.body,
            )
        return [
            Saved(parse_wire(wire.SaveResult, r, provider=self.provider, status=reply.status), r)
            for r in reply.body
        ]

    # https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_query.htm
    async def query(self, soql: str) -> list[dict[str, Any]]:
        """Every record a SOQL query matches, following ``nextRecordsUrl``."""
        records: list[dict[str, Any]] = []
        reply = await self._request("GET", self._data("/query"), params={"q": soql}, safe=True)
        while True:
            page = parse_wire(
                wire.QueryPage, reply.body, provider=self.provider, status=reply.status
            )
            records += page.records
            if page.done or not page.next_records_url:
                return records
            reply = await self._request("GET", page.next_records_url, safe=True)

    async def existing_contact_roles(
        self, pairs: Sequence[tuple[str, str]]
    ) -> set[tuple[str, str]]:
        """Which (OpportunityId, ContactId) pairs already have an OpportunityContactRole.

        Salesforce lets the same pair be added twice, so we look before we create.
        """
        return set(await self._junction_ids(JUNCTIONS["OpportunityContactRole"], pairs))

    async def _junction_ids(
        self, junction: Junction, pairs: Sequence[tuple[str, str]]
    ) -> dict[tuple[str, str], str]:
        """The id of a ``junction`` row for each (first, second) pair that has one (SOQL, 200
        pairs a query)."""
        first, second = junction.first_field, junction.second_field
        found: dict[tuple[str, str], str] = {}
        for chunk in chunked(list(pairs), 200):
            firsts = sorted({a for a, _ in chunk})
            seconds = sorted({b for _, b in chunk})
            rows = await self.query(
                f"SELECT Id, {first}, {second} FROM {junction.sobject} "
                f"WHERE {first} IN ({_soql_list(firsts)}) "
                f"AND {second} IN ({_soql_list(seconds)})"
            )
            for r in rows:
                found[(_id15(r.get(first)), _id15(r.get(second)))] = str(r.get("Id"))
        return {p: found[k] for p in pairs if (k := (_id15(p[0]), _id15(p[1]))) in found}

    async def read_associations(
        self, from_type: str, to_type: str, ids: Sequence[str]
    ) -> dict[str, list[AssociatedRecord] | ProviderError]:
        entity, other = entity_named(from_type), entity_named(to_type)
        if entity is None or other is None:
            raise Unsupported(
                f"no Salesforce object {from_type} or {to_type}", provider=self.provider
            )
        return dict(await self.related(entity, other, ids))

    async def existing_records(self, object_type: str, ids: Sequence[str]) -> set[str]:
        """Which of ``ids`` are records of ``object_type``: one SOQL query per 200 ids."""
        entity = entity_named(object_type)
        if entity is None:
            raise Unsupported(f"no Salesforce object {object_type}", provider=self.provider)
        found: set[str] = set()
        for chunk in chunked(list(dict.fromkeys(ids)), 200):
            rows = await self.query(
                f"SELECT Id FROM {sobject_of(entity)} WHERE Id IN ({_soql_list(chunk)})"
            )
            found |= {_id15(r.get("Id")) for r in rows}
        return {i for i in ids if _id15(i) in found}

    async def labels(self, from_type: str, to_type: str) -> list[AssociationLabel]:
        """The junction objects between two objects: the ids ``createRelation`` accepts.
        (Lookup fields are fixed relationships, not labelled types.)"""
        entity, other = entity_named(from_type), entity_named(to_type)
        if entity is None or other is None:
            return []
        return [
            AssociationLabel(
                category="JUNCTION",
                label=j.sobject,
                id=j.sobject,
                key=j.role_field,
                from_object=from_type,
                to_object=to_type,
            )
            for j in junctions_between(entity, other)
        ]

    async def related(
        self, entity: UnifiedEntity, other: UnifiedEntity, ids: Sequence[str]
    ) -> dict[str, list[AssociatedRecord]]:
        """What each of ``ids`` is associated with, by one SOQL query per 200 ids."""
        found: dict[str, list[AssociatedRecord]] = {_id15(i): [] for i in ids}
        for chunk in chunked(list(dict.fromkeys(ids)), 200):
            query = read_query(entity, other, list(chunk))
            for row in await self.query(query.soql):
                key, value = row.get(query.key_field), row.get(query.other_field)
                if key and value and _id15(key) in found:
                    found[_id15(key)].append(AssociatedRecord(str(value)))
        return {i: found[_id15(i)] for i in ids}

    async def create_associations(
        self, requests: Sequence[UnifiedAssociationRequest]
    ) -> list[UnifiedAssociationResult | ProviderError]:
        """Plan every request, then send their writes together: one sObject Collections call
        per 200 lookups, one SOQL for existing contact roles, one create per 200 new rows.

        Requests of one HTTP request share these calls (the loader hands them over together);
        identical writes are sent once. A request that cannot be planned fails alone.
        """
        plans: list[Plan | ProviderError] = []
        for request in requests:
            try:
                plans.append(plan(request))
            except ProviderError as exc:
                plans.append(exc)
        updates = _Writes()
        creates = _Writes()
        pairs = [
            (j.opportunity_id, j.contact_id)
            for p in plans
            if isinstance(p, Plan)
            for j in p.junctions
        ]
        existing: set[tuple[str, str]] | ProviderError = set()
        if pairs:
            try:
                existing = await self.existing_contact_roles(list(dict.fromkeys(pairs)))
            except ProviderError as exc:
                existing = exc
        for request, planned in zip(requests, plans, strict=True):
            if not isinstance(planned, Plan):
                continue
            extra = dict(request.remote_data or {})
            for write in planned.lookups:
                updates.add(_lookup_record(write, extra), request.remote_query)
            if isinstance(existing, set):
                for j in planned.junctions:
                    if (j.opportunity_id, j.contact_id) not in existing:
                        creates.add(_junction_record(j, extra), request.remote_query)
        await updates.send(self.update_records)
        await creates.send(self.create_records)

        answers: list[UnifiedAssociationResult | ProviderError] = []
        for request, planned in zip(requests, plans, strict=True):
            if not isinstance(planned, Plan):
                answers.append(planned)
                continue
            try:
                answers.append(_unified_result(request, planned, updates, creates, existing))
            except ProviderError as exc:
                answers.append(exc)
        return answers

    # --- createDefaultAssociation: the standard link, through the unified planner ----------

    async def associate_default(
        self, from_type: str, to_type: str, pairs: Sequence[Pair]
    ) -> Batch[DefaultAssociation]:
        """The standard link between two objects: the lookup field, or an
        OpportunityContactRole row created only when the pair has none. A contact that has an
        account already keeps it and gets an AccountContactRelation to the other one (one
        per pair: a second is Salesforce's DUPLICATE_VALUE, answered as existing)."""
        entity, other = _entities(from_type, to_type)
        relationship = relationship_of(entity, other)
        if relationship is None:
            raise Unsupported(
                f"Salesforce has no standard relationship from {from_type} to {to_type}",
                provider=self.provider,
            )
        spec = AssociationSpec(relationship, 0)
        lookups = list(dict.fromkeys(pairs))
        results: list[DefaultAssociation] = []
        errors: list[BatchError] = []
        if {entity, other} == {UnifiedEntity.ACCOUNTS, UnifiedEntity.CONTACTS}:
            lookups, linked, related = await self._by_current_account(entity, lookups)
            results += [DefaultAssociation(p.from_id, p.to_id, spec) for p in linked]
            junction = JUNCTIONS["AccountContactRelation"]
            rows = [(p.from_id, p.to_id) for p in related]
            outcomes = await self._junction_rows(junction, rows, None) if rows else []
            for pair, outcome in zip(related, outcomes, strict=True):
                if isinstance(outcome, ProviderError) and not isinstance(outcome, AlreadyExists):
                    errors.append(error_for_items(outcome, [pair]))
                else:
                    relation = AssociationSpec(junction.sobject, 0)
                    results.append(DefaultAssociation(pair.from_id, pair.to_id, relation))
        requests = [
            UnifiedAssociationRequest(p.from_id, entity, {other: (p.to_id,)}) for p in lookups
        ]
        answers = await self.create_associations(requests) if requests else []
        for pair, answer in zip(lookups, answers, strict=True):
            if isinstance(answer, ProviderError):
                errors.append(error_for_items(answer, [pair]))
            elif answer.errors:
                first = answer.errors[0]
                errors.append(BatchError(first.message, category=first.code, items=(pair,)))
            else:
                results.append(DefaultAssociation(pair.from_id, pair.to_id, spec))
        return _batch(results, errors)

    async def _by_current_account(
        self, entity: UnifiedEntity, pairs: list[Pair]
    ) -> tuple[list[Pair], list[Pair], list[Pair]]:
        """Account-contact pairs by the contact's AccountId: none yet (set the lookup), this
        account (linked already) or another one (relate through AccountContactRelation)."""

        def sides(p: Pair) -> tuple[str, str]:  # (contact, account)
            return (
                (p.from_id, p.to_id) if entity is UnifiedEntity.CONTACTS else (p.to_id, p.from_id)
            )

        accounts: dict[str, str | None] = {}
        for chunk in chunked(sorted({sides(p)[0] for p in pairs}), 200):
            rows = await self.query(
                f"SELECT Id, AccountId FROM Contact WHERE Id IN ({_soql_list(chunk)})"
            )
            accounts |= {_id15(r.get("Id")): r.get("AccountId") for r in rows}
        lookups: list[Pair] = []
        linked: list[Pair] = []
        related: list[Pair] = []
        for pair in pairs:
            contact, account = sides(pair)
            current = accounts.get(_id15(contact))
            if current is None:  # no account yet, or no such contact: Salesforce will say
                lookups.append(pair)
            elif _id15(current) == _id15(account):
                linked.append(pair)
            else:
                related.append(pair)
        return lookups, linked, related

    # --- batchCreateAssociations -----------------------------------------------------------

    async def create_batch(
        self, from_type: str, to_type: str, inputs: Sequence[TypedPair]
    ) -> Batch[TypedPair]:
        """``type`` ``default`` is the standard link (as createDefaultAssociation); a junction
        object's name (an associationLabels id) creates that row. 200 records a call."""
        unique = list(dict.fromkeys(inputs))
        results: list[TypedPair] = []
        errors: list[BatchError] = []
        by_type: dict[str, list[TypedPair]] = {}
        for item in unique:
            by_type.setdefault(item.type, []).append(item)
        for type_name, items in by_type.items():
            if type_name == "default":
                batch = await self.associate_default(from_type, to_type, [i.pair for i in items])
                done = {Pair(r.from_id, r.to_id) for r in batch.results}
                results += [i for i in items if i.pair in done]
                errors += batch.errors
                continue
            junction = _junction(type_name)
            outcomes = await self._junction_rows(
                junction, [(i.from_id, i.to_id) for i in items], None
            )
            for item, outcome in zip(items, outcomes, strict=True):
                if not isinstance(outcome, ProviderError) or isinstance(outcome, AlreadyExists):
                    results.append(item)
                else:
                    errors.append(error_for_items(outcome, [item.pair]))
        order = {item: n for n, item in enumerate(unique)}
        return _batch(sorted(results, key=order.__getitem__), errors)

    def call_limits(self) -> CallLimits:
        """sObject Collections take 200 records a call (``salesforce_collection_limit``); this
        client sends a batch's collections one after another: one call in flight."""
        return CallLimits(per_call=self.settings.salesforce_collection_limit, in_flight=1)

    # --- createRelation: a junction row with a role ----------------------------------------

    async def create_relation(self, request: RelationRequest) -> Relation:
        junction = _junction(request.association_id)
        pair = (request.first_record_id, request.second_record_id)
        (outcome,) = await self._junction_rows(junction, [pair], request.role)
        if isinstance(outcome, ProviderError):
            raise outcome
        fields = junction.fields_for(*pair)
        return Relation(
            id=outcome,
            location_id=None,
            association_id=junction.sobject,
            first_record_id=request.first_record_id,
            second_record_id=request.second_record_id,
            first_object_key=_SOBJECT_NAMES[junction.first],
            second_object_key=_SOBJECT_NAMES[junction.second],
            raw={"id": outcome, **fields},
        )

    async def _junction_rows(
        self, junction: Junction, pairs: Sequence[tuple[str, str]], role: str | None
    ) -> list[str | ProviderError]:
        """One row per pair: the new row's id, ``AlreadyExists`` when the pair has one
        (OpportunityContactRole is looked up first; AccountContactRelation answers
        DUPLICATE_VALUE), or the refusal."""
        rows: list[dict[str, str] | ProviderError] = []
        for pair in pairs:
            try:
                rows.append(junction.fields_for(*pair))
            except ProviderError as exc:
                rows.append(exc)
        valid = [r for r in rows if not isinstance(r, ProviderError)]
        existing: set[tuple[str, str]] = set()
        if not junction.unique_per_pair and valid:
            existing = await self.existing_contact_roles(
                [(r[junction.first_field], r[junction.second_field]) for r in valid]
            )
        new = list(
            {
                _canonical(r): r
                for r in valid
                if (r[junction.first_field], r[junction.second_field]) not in existing
            }.values()
        )
        extra = {junction.role_field: role} if role else {}
        records = [{"attributes": {"type": junction.sobject}, **r, **extra} for r in new]
        created = await self.create_records(records) if records else []
        saved = {_canonical(r): s.result for r, s in zip(new, created, strict=True)}
        outcomes: list[str | ProviderError] = []
        for row in rows:
            if isinstance(row, ProviderError):
                outcomes.append(row)
            elif (row[junction.first_field], row[junction.second_field]) in existing:
                outcomes.append(_exists(junction))
            else:
                result = saved[_canonical(row)]
                ok = result.success and result.id
                outcomes.append(result.id if ok and result.id else _refusal(junction, result))
        return outcomes


_SOBJECT_NAMES = {
    UnifiedEntity.ACCOUNTS: "Account",
    UnifiedEntity.CONTACTS: "Contact",
    UnifiedEntity.OPPORTUNITIES: "Opportunity",
    UnifiedEntity.LEADS: "Lead",
}


def _entities(from_type: str, to_type: str) -> tuple[UnifiedEntity, UnifiedEntity]:
    entity, other = entity_named(from_type), entity_named(to_type)
    if entity is None or other is None:
        raise Unsupported(f"no Salesforce object {from_type} or {to_type}", provider="salesforce")
    return entity, other


def _junction(name: str) -> Junction:
    junction = relationship_named(name)
    if junction is None:
        raise InvalidRequest(
            f"{name[:80]!r} is not a Salesforce junction object: use OpportunityContactRole or "
            "AccountContactRelation (associationLabels lists them)",
            provider="salesforce",
        )
    return junction


def _exists(junction: Junction) -> AlreadyExists:
    return AlreadyExists(f"this pair already has an {junction.sobject}", provider="salesforce")


def _refusal(junction: Junction, result: wire.SaveResult) -> ProviderError:
    first = result.errors[0] if result.errors else wire.SaveError()
    if first.status_code == "DUPLICATE_VALUE":
        return _exists(junction)
    return InvalidRequest(
        f"{first.status_code}: {first.message}", provider="salesforce", code=first.status_code
    )


def _batch(results: list[R], errors: list[BatchError]) -> Batch[R]:
    now = datetime.now(UTC)
    return Batch(BatchStatus.COMPLETE, results, errors, now, now)


class _Writes:
    """Records to write, grouped by their query parameters, each distinct record sent once."""

    def __init__(self) -> None:
        self._groups: dict[str, dict[str, Mapping[str, Any]]] = {}
        self._saved: dict[tuple[str, str], Saved | ProviderError] = {}

    @staticmethod
    def _keys(record: Mapping[str, Any], params: Mapping[str, str] | None) -> tuple[str, str]:
        return _canonical(params or {}), _canonical(record)

    def add(self, record: Mapping[str, Any], params: Mapping[str, str] | None) -> None:
        group, key = self._keys(record, params)
        self._groups.setdefault(group, {})[key] = record

    async def send(
        self,
        write: Callable[
            [Sequence[Mapping[str, Any]], Mapping[str, str] | None], Awaitable[list[Saved]]
        ],
    ) -> None:
        for group, records in self._groups.items():
            params = json.loads(group) or None
            try:
                saved: list[Saved | ProviderError] = list(
                    await write(list(records.values()), params)
                )
            except ProviderError as exc:
                saved = [exc] * len(records)
            self._saved.update(((group, k), v) for k, v in zip(records, saved, strict=True))

    def saved(self, record: Mapping[str, Any], params: Mapping[str, str] | None) -> Saved:
        outcome = self._saved[self._keys(record, params)]
        if isinstance(outcome, ProviderError):
            raise outcome
        return outcome


def _unified_result(
    request: UnifiedAssociationRequest,
    planned: Plan,
    updates: _Writes,
    creates: _Writes,
    existing: set[tuple[str, str]] | ProviderError,
) -> UnifiedAssociationResult:
    extra = dict(request.remote_data or {})
    params = request.remote_query
    confirmed: dict[UnifiedEntity, list[str]] = {}
    errors: list[ItemError] = []
    raw: list[Any] = []

    def report(entity: UnifiedEntity, rid: str, saved: Saved) -> None:
        raw.append(saved.raw)
        if saved.result.success:
            confirmed.setdefault(entity, []).append(rid)
        else:
            first = saved.result.errors[0] if saved.result.errors else wire.SaveError()
            errors.append(
                ItemError(entity, rid, first.status_code, first.message, tuple(first.fields))
            )

    for write in planned.lookups:
        report(write.entity, write.reported_id, updates.saved(_lookup_record(write, extra), params))
    if isinstance(existing, ProviderError):
        if planned.junctions:
            raise existing
        existing = set()
    for j in planned.junctions:
        if (j.opportunity_id, j.contact_id) in existing:
            confirmed.setdefault(j.entity, []).append(j.reported_id)
        else:
            report(j.entity, j.reported_id, creates.saved(_junction_record(j, extra), params))
    return UnifiedAssociationResult(
        entity_id=request.entity_id,
        entity=request.entity,
        associations=confirmed,
        errors=errors,
        raw=raw,
    )


def _junction_of(records: Sequence[Mapping[str, Any]]) -> Junction | None:
    """The junction object every one of ``records`` is a new row of, with both keys set."""
    kinds = {r.get("attributes", {}).get("type") for r in records}
    junction = JUNCTIONS.get(kinds.pop()) if len(kinds) == 1 else None
    if junction is None or not all(
        r.get(junction.first_field) and r.get(junction.second_field) for r in records
    ):
        return None
    return junction


def _pair_in(junction: Junction, record: Mapping[str, Any]) -> tuple[str, str]:
    return str(record[junction.first_field]), str(record[junction.second_field])


def _made(record_id: str) -> dict[str, Any]:
    # The SaveResult the lost reply would have carried.
    return {"id": record_id, "success": True, "errors": []}


def _in_order(made: Mapping[int, Saved], sent: Iterable[tuple[int, Saved]]) -> list[Saved]:
    every = {**made, **dict(sent)}
    return [every[i] for i in sorted(every)]


def _canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"))


def _id15(value: Any) -> str:
    # An 18-character id is the 15-character one plus a case-safety suffix.
    return str(value)[:15]


def _lookup_record(write: LookupWrite, extra: Mapping[str, Any]) -> dict[str, Any]:
    return {
        **extra,
        "attributes": {"type": write.sobject},
        "id": write.record_id,
        write.field: write.value,
    }


def _junction_record(write: JunctionWrite, extra: Mapping[str, Any]) -> dict[str, Any]:
    return {
        **extra,
        "attributes": {"type": "OpportunityContactRole"},
        "OpportunityId": write.opportunity_id,
        "ContactId": write.contact_id,
    }
