"""Salesforce: associations as lookup fields and junction rows, via sObject Collections."""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol
from urllib.parse import urlsplit

from providers.base import ProviderClient
from providers.batching import chunked
from providers.domain import (
    AssociatedRecord,
    ItemError,
    UnifiedAssociationRequest,
    UnifiedAssociationResult,
    UnifiedEntity,
)
from providers.errors import InvalidRequest, WireFormatError
from providers.salesforce import wire
from providers.salesforce.mapping import JunctionWrite, LookupWrite, plan, read_query, sobject_of
from providers.wire import parse_wire

# Hosts Salesforce serves orgs from (My Domain, sandboxes, Experience Cloud, Government Cloud).
_SALESFORCE_HOSTS = (
    ".salesforce.com",
    ".force.com",
    ".cloudforce.com",
    ".database.com",
    ".salesforce-setup.com",
    ".sfcrmproducts.cn",
)


def validate_instance_url(url: str | None, *, allow_insecure: bool) -> str:
    """An org's instance URL, refusing anything but https on a Salesforce host.

    Integrations are created by API callers, so an arbitrary URL would let them make this
    server call loopback, private or cloud-metadata addresses (server-side request forgery).
    ``allow_insecure`` (CRMGRAPH_ALLOW_INSECURE_UPSTREAMS) is for local emulators only.
    """
    if not url:
        raise InvalidRequest("a Salesforce integration needs an instanceUrl", provider="salesforce")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InvalidRequest(
            f"instanceUrl {url[:100]!r} is not an http(s) URL", provider="salesforce"
        )
    if parts.username or parts.password:
        raise InvalidRequest("instanceUrl must not carry credentials", provider="salesforce")
    if allow_insecure:
        return url.rstrip("/")
    host = parts.hostname.lower().rstrip(".")
    try:
        ipaddress.ip_address(host)
        is_ip = True
    except ValueError:
        is_ip = False
    if parts.scheme != "https" or is_ip or not host.endswith(_SALESFORCE_HOSTS):
        raise InvalidRequest(
            f"instanceUrl must be https on a Salesforce host (such as "
            f"https://yourorg.my.salesforce.com), not {url[:100]!r}",
            provider="salesforce",
        )
    return f"https://{parts.netloc}".rstrip("/")


@dataclass(frozen=True)
class Saved:
    """One record's SaveResult, and the provider's own JSON for it (``responseFormat: RAW``)."""

    result: wire.SaveResult
    raw: Any


class SalesforceIO(Protocol):
    """Where ``create_association`` sends its writes: the client, or a cross-request batcher."""

    async def update_records(
        self, records: Sequence[Mapping[str, Any]], params: Mapping[str, str] | None = None
    ) -> list[Saved]: ...

    async def create_records(
        self, records: Sequence[Mapping[str, Any]], params: Mapping[str, str] | None = None
    ) -> list[Saved]: ...

    async def existing_contact_roles(
        self, pairs: Sequence[tuple[str, str]]
    ) -> set[tuple[str, str]]: ...


def _soql_list(ids: Sequence[str]) -> str:
    # Ids are checked against the Salesforce id pattern before they get here.
    return ", ".join(f"'{i}'" for i in ids)


class SalesforceClient(ProviderClient):
    provider = "salesforce"

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
        # A repeated create makes a second row: never retried after an ambiguous failure.
        return await self._collections("POST", records, params, safe=False)

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
            if not isinstance(reply.body, list) or len(reply.body) != len(chunk):
                raise WireFormatError(
                    "sObject Collections did not answer one SaveResult per record",
                    provider=self.provider,
                    status=reply.status,
                    body=reply.body,
                )
            saved += [
                Saved(
                    parse_wire(wire.SaveResult, r, provider=self.provider, status=reply.status), r
                )
                for r in reply.body
            ]
        return saved

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
        found: set[tuple[str, str]] = set()
        for chunk in chunked(list(pairs), 200):
            opps = sorted({o for o, _ in chunk})
            cons = sorted({c for _, c in chunk})
            rows = await self.query(
                "SELECT OpportunityId, ContactId FROM OpportunityContactRole "
                f"WHERE OpportunityId IN ({_soql_list(opps)}) "
                f"AND ContactId IN ({_soql_list(cons)})"
            )
            found |= {(_id15(r.get("OpportunityId")), _id15(r.get("ContactId"))) for r in rows}
        return {p for p in pairs if (_id15(p[0]), _id15(p[1])) in found}

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

    async def existing_records(self, entity: UnifiedEntity, ids: Sequence[str]) -> set[str]:
        """Which of ``ids`` are records of ``entity``: one SOQL query per 200 ids."""
        found: set[str] = set()
        for chunk in chunked(list(dict.fromkeys(ids)), 200):
            rows = await self.query(
                f"SELECT Id FROM {sobject_of(entity)} WHERE Id IN ({_soql_list(chunk)})"
            )
            found |= {_id15(r.get("Id")) for r in rows}
        return {i for i in ids if _id15(i) in found}

    async def create_association(
        self, request: UnifiedAssociationRequest, io: SalesforceIO | None = None
    ) -> UnifiedAssociationResult:
        """Plan the writes, then send them through ``io`` (this client unless a batcher
        shares calls across requests): lookups first, then the junction rows that are new."""
        io = io or self
        writes = plan(request)
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

        if writes.lookups:
            records = [_lookup_record(w, extra) for w in writes.lookups]
            for write, saved in zip(
                writes.lookups, await io.update_records(records, params), strict=True
            ):
                report(write.entity, write.reported_id, saved)

        if writes.junctions:
            pairs = [(j.opportunity_id, j.contact_id) for j in writes.junctions]
            existing = await io.existing_contact_roles(pairs)
            new = [j for j in writes.junctions if (j.opportunity_id, j.contact_id) not in existing]
            for j in writes.junctions:
                if (j.opportunity_id, j.contact_id) in existing:
                    confirmed.setdefault(j.entity, []).append(j.reported_id)
            if new:
                records = [_junction_record(j, extra) for j in new]
                for junction, saved in zip(
                    new, await io.create_records(records, params), strict=True
                ):
                    report(junction.entity, junction.reported_id, saved)

        return UnifiedAssociationResult(
            entity_id=request.entity_id,
            entity=request.entity,
            associations=confirmed,
            errors=errors,
            raw=raw,
        )


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
