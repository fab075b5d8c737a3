"""Salesforce REST emulator, served at an "instance URL", with the OAuth refresh token flow.

Endpoints under /services/data/vNN.N/ (any version; sObject Collections need v42.0+):
PATCH|POST composite/sobjects, GET query?q=<SOQL> (+ GET query/<locator> for the next batch),
GET limits. References: ../shared/specs/salesforce (Postman request shapes) and the REST API
Developer Guide ("sObject Collections", "Status Codes and Error Responses").

Error bodies are JSON arrays `[{"message": str, "errorCode": str}]` (+ "fields" where known):
401 INVALID_SESSION_ID, 403 REQUEST_LIMIT_EXCEEDED (daily allocation spent, no Retry-After),
400 JSON_PARSER_ERROR / INVALID_TYPE / EXCEEDED_ID_LIMIT / MALFORMED_QUERY, 404 NOT_FOUND.
Every reply carries `Sforce-Limit-Info: api-usage=N/M`.

SaveResults (one per record, input order; "id" absent when there is none to report):
    {"id": str, "success": bool, "errors": [{"statusCode": str, "message": str, "fields": [str]}]}
  - update, no id: MISSING_ARGUMENT; malformed or wrong-prefix id: MALFORMED_ID ["Id"];
    deleted record: ENTITY_IS_DELETED; id that never existed: INVALID_CROSS_REFERENCE_KEY [].
  - lookup to a missing record: INVALID_CROSS_REFERENCE_KEY [field]; lookup holding a
    malformed or wrong-type id: FIELD_INTEGRITY_EXCEPTION [field] ("Account ID: id value of
    incorrect type: ...", as Salesforce reports it).
  - create carrying an id: INVALID_FIELD ["Id"]; required field missing: REQUIRED_FIELD_MISSING;
    junction keys changed on update: INVALID_FIELD_FOR_INSERT_UPDATE.
  - allOrNone=true and any failure: nothing is applied; the failed records keep their errors
    and the others report ALL_OR_NONE_OPERATION_ROLLED_BACK.
Duplicate OpportunityContactRole rows for one pair are accepted, as the real API does; a second
AccountContactRelation for one account and contact is refused with DUPLICATE_VALUE
("duplicate value found: <unknown> duplicates value on record with id: <id>", fields []).
Field names are not checked against a schema: unknown fields are stored and read back as null.
"""

from __future__ import annotations

import base64
import hashlib
import re
import time
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from emulators.common import (
    CALL_KEY,
    EmulatorState,
    Handler,
    LimitVerdict,
    RateWindow,
    RunningEmulator,
    build_app,
    json_response,
    read_json,
    serve_app,
)
from emulators.faults import FaultRule
from emulators.oauth import Refusal

SOBJECT_PREFIXES: dict[str, str] = {
    "Account": "001",
    "Contact": "003",
    "Opportunity": "006",
    "Lead": "00Q",
    "OpportunityContactRole": "00K",
    "AccountContactRelation": "07k",
}
PREFIX_TYPES = {prefix: sobject for sobject, prefix in SOBJECT_PREFIXES.items()}
REFERENCE_FIELDS: dict[str, dict[str, str]] = {
    "Contact": {"AccountId": "Account"},
    "Opportunity": {"AccountId": "Account"},
    "OpportunityContactRole": {"OpportunityId": "Opportunity", "ContactId": "Contact"},
    "AccountContactRelation": {"AccountId": "Account", "ContactId": "Contact"},
    "Lead": {
        "ConvertedAccountId": "Account",
        "ConvertedContactId": "Contact",
        "ConvertedOpportunityId": "Opportunity",
    },
}
REQUIRED_ON_CREATE: dict[str, tuple[str, ...]] = {
    "Account": ("Name",),
    "Contact": ("LastName",),
    "Opportunity": ("Name", "StageName", "CloseDate"),
    "Lead": ("LastName", "Company"),
    "OpportunityContactRole": ("OpportunityId", "ContactId"),
    "AccountContactRelation": ("AccountId", "ContactId"),
}
NOT_UPDATEABLE: dict[str, frozenset[str]] = {
    "OpportunityContactRole": frozenset({"OpportunityId"}),
    "AccountContactRelation": frozenset({"AccountId", "ContactId"}),
}
COLLECTION_LIMIT = 200
MIN_COLLECTIONS_VERSION = 42.0
ROLLED_BACK_MESSAGE = (
    "Record rolled back because not all records were valid and the request was using "
    "AllOrNone header"
)
_SUFFIX_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345"
_ID_CHARS = re.compile(r"^[0-9A-Za-z]+$")


def to18(id15: str) -> str:
    """The case-safe 18-character form of a 15-character Salesforce id."""
    suffix = ""
    for start in (0, 5, 10):
        chunk = id15[start : start + 5]
        bits = sum(1 << i for i, char in enumerate(chunk) if "A" <= char <= "Z")
        suffix += _SUFFIX_ALPHABET[bits]
    return id15 + suffix


def normalize_id(value: Any) -> str | None:
    """18-character id for a 15- or 18-character one; None when malformed."""
    if not isinstance(value, str) or not _ID_CHARS.match(value):
        return None
    if len(value) == 15:
        return to18(value)
    if len(value) == 18 and to18(value[:15])[15:] == value[15:].upper():
        return to18(value[:15])
    return None


def _label(field_name: str) -> str:
    # "AccountId" -> "Account ID", as in Salesforce messages
    return field_name[:-2] + " ID" if field_name.endswith("Id") else field_name


def _sf_error(error_code: str, message: str, fields: list[str] | None = None) -> dict[str, Any]:
    error: dict[str, Any] = {"message": message, "errorCode": error_code}
    if fields is not None:
        error["fields"] = fields
    return error


class SalesforceError(Exception):
    def __init__(self, status: int, error_code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.error_code, self.message = status, error_code, message

    def response(self) -> web.Response:
        return json_response([_sf_error(self.error_code, self.message)], self.status)


@dataclass
class SalesforceState(EmulatorState):
    records: dict[str, dict[str, dict[str, Any]]] = field(
        default_factory=lambda: {sobject: {} for sobject in SOBJECT_PREFIXES}
    )
    deleted: set[str] = field(default_factory=set)  # ids answered with ENTITY_IS_DELETED
    daily_limit: int = 100_000
    collection_limit: int = COLLECTION_LIMIT
    query_batch_size: int = 2000
    # What a token refresh names as the org's instance (None: the URL the request came to).
    instance_url: str | None = None
    _id_counter: int = field(default=0, init=False, repr=False)
    _cursors: dict[str, list[dict[str, Any]]] = field(default_factory=dict, init=False, repr=False)
    _cursor_counter: int = field(default=0, init=False, repr=False)
    _window: RateWindow | None = field(default=None, init=False, repr=False)

    # -- records -------------------------------------------------------------------------------
    def new_id(self, sobject: str) -> str:
        self._id_counter += 1
        return to18(f"{SOBJECT_PREFIXES[sobject]}Hs{self._id_counter:010d}")

    def add_record(self, sobject: str, record_id: str | None = None, **fields: Any) -> str:
        """Insert a record directly (no validation); returns its 18-character id."""
        record_id = normalize_id(record_id) if record_id else self.new_id(sobject)
        if record_id is None:
            raise ValueError("malformed Salesforce id")
        self.records.setdefault(sobject, {})[record_id] = {**fields, "Id": record_id}
        return record_id

    def find(self, record_id: str) -> tuple[str, dict[str, Any]] | None:
        canonical = normalize_id(record_id)
        if canonical is None:
            return None
        for sobject, rows in self.records.items():
            if canonical in rows:
                return sobject, rows[canonical]
        return None

    def delete(self, record_id: str) -> None:
        found = self.find(record_id)
        if found is not None:
            del self.records[found[0]][found[1]["Id"]]
            self.deleted.add(found[1]["Id"])

    # -- limits --------------------------------------------------------------------------------
    @property
    def window(self) -> RateWindow:
        if self._window is None:
            self._window = RateWindow(None, 0, self.daily_limit)
        self._window.daily_max = self.daily_limit
        return self._window

    @property
    def api_usage(self) -> int:
        return self.daily_limit - self.window.daily_remaining(self.clock())

    def limit_headers(self, request: web.Request) -> dict[str, str]:
        return {"Sforce-Limit-Info": f"api-usage={self.api_usage}/{self.daily_limit}"}

    def fault_body(self, rule: FaultRule, status: int) -> Any:
        if status == 429:
            return [_sf_error("TOO_MANY_REQUESTS", "Too many requests, retry later.")]
        if status == 500:
            return [_sf_error("UNKNOWN_EXCEPTION", "An unexpected error occurred.")]
        return [_sf_error("SERVER_UNAVAILABLE", "Server temporarily unavailable.")]


SALESFORCE_KEY = web.AppKey("salesforce_state", SalesforceState)


# -- sObject Collections ----------------------------------------------------------------------
@dataclass
class _Outcome:
    record_id: str | None = None
    errors: list[dict[str, Any]] = field(default_factory=list)
    apply: tuple[str, str, dict[str, Any]] | None = None  # (sobject, id, fields) to write


def _save_error(status_code: str, message: str, fields: list[str]) -> dict[str, Any]:
    return {"statusCode": status_code, "message": message, "fields": fields}


def _reference_errors(
    state: SalesforceState, sobject: str, values: dict[str, Any]
) -> list[dict[str, Any]]:
    errors = []
    for name, target in REFERENCE_FIELDS.get(sobject, {}).items():
        value = values.get(name)
        if name not in values or value is None:
            continue
        canonical = normalize_id(value)
        if canonical is None or PREFIX_TYPES.get(canonical[:3]) != target:
            message = f"{_label(name)}: id value of incorrect type: {value}"
            errors.append(_save_error("FIELD_INTEGRITY_EXCEPTION", message, [name]))
        elif canonical not in state.records.get(target, {}):
            errors.append(
                _save_error("INVALID_CROSS_REFERENCE_KEY", "invalid cross reference id", [name])
            )
        else:
            values[name] = canonical
    return errors


def _plan_create(state: SalesforceState, sobject: str, record: dict[str, Any]) -> _Outcome:
    values = {k: v for k, v in record.items() if k != "attributes"}
    if any(k.lower() == "id" for k in values):
        return _Outcome(
            errors=[_save_error("INVALID_FIELD", "cannot specify Id in an insert call", ["Id"])]
        )
    missing = [
        name for name in REQUIRED_ON_CREATE.get(sobject, ()) if values.get(name) in (None, "")
    ]
    if missing:
        message = f"Required fields are missing: [{', '.join(missing)}]"
        return _Outcome(errors=[_save_error("REQUIRED_FIELD_MISSING", message, missing)])
    errors = _reference_errors(state, sobject, values)
    if errors:
        return _Outcome(errors=errors)
    if sobject == "AccountContactRelation":
        keys = (values.get("AccountId"), values.get("ContactId"))
        twin = next(
            (
                r["Id"]
                for r in state.records[sobject].values()
                if (r.get("AccountId"), r.get("ContactId")) == keys
            ),
            None,
        )
        if twin is not None:
            message = f"duplicate value found: <unknown> duplicates value on record with id: {twin}"
            return _Outcome(errors=[_save_error("DUPLICATE_VALUE", message, [])])
    new_id = state.new_id(sobject)
    return _Outcome(new_id, apply=(sobject, new_id, {**values, "Id": new_id}))


def _plan_update(state: SalesforceState, sobject: str, record: dict[str, Any]) -> _Outcome:
    values = {k: v for k, v in record.items() if k not in ("attributes", "id", "Id")}
    raw_id = record.get("id", record.get("Id"))
    if raw_id in (None, ""):
        error = _save_error("MISSING_ARGUMENT", "Id not specified in an update call", [])
        return _Outcome(errors=[error])
    canonical = normalize_id(raw_id)
    if canonical is None or PREFIX_TYPES.get(canonical[:3]) != sobject:
        message = f"{sobject} ID: id value of incorrect type: {raw_id}"
        return _Outcome(errors=[_save_error("MALFORMED_ID", message, ["Id"])])
    if canonical in state.deleted:
        return _Outcome(canonical, [_save_error("ENTITY_IS_DELETED", "entity is deleted", [])])
    current = state.records.get(sobject, {}).get(canonical)
    if current is None:
        error = _save_error("INVALID_CROSS_REFERENCE_KEY", "invalid cross reference id", [])
        return _Outcome(canonical, [error])
    frozen = sorted(NOT_UPDATEABLE.get(sobject, frozenset()) & values.keys())
    if frozen:
        message = f"Unable to create/update fields: {', '.join(frozen)}."
        return _Outcome(
            canonical, [_save_error("INVALID_FIELD_FOR_INSERT_UPDATE", message, frozen)]
        )
    errors = _reference_errors(state, sobject, values)
    if errors:
        return _Outcome(canonical, errors)
    return _Outcome(canonical, apply=(sobject, canonical, {**current, **values}))


def _collection_records(request: web.Request, state: SalesforceState) -> tuple[bool, list[Any]]:
    version = float(request.match_info["version"][1:])
    if version < MIN_COLLECTIONS_VERSION:
        raise SalesforceError(404, "NOT_FOUND", "The requested resource does not exist")
    try:
        body = read_json(request[CALL_KEY])
    except ValueError as exc:
        raise SalesforceError(400, "JSON_PARSER_ERROR", f"Unexpected request body: {exc}") from exc
    records = body.get("records") if isinstance(body, dict) else None
    all_or_none = body.get("allOrNone", False) if isinstance(body, dict) else False
    if not isinstance(records, list) or not isinstance(all_or_none, bool):
        raise SalesforceError(
            400, "JSON_PARSER_ERROR", "Expected {allOrNone: Boolean, records: SObject[]}"
        )
    if len(records) > state.collection_limit:
        raise SalesforceError(
            400,
            "EXCEEDED_ID_LIMIT",
            f"record limit reached. cannot submit more than {state.collection_limit} "
            "records into this call",
        )
    for record in records:
        attributes = record.get("attributes") if isinstance(record, dict) else None
        sobject = attributes.get("type") if isinstance(attributes, dict) else None
        if not isinstance(sobject, str):
            raise SalesforceError(400, "INVALID_TYPE", "Must send a concrete entity type.")
        if sobject not in state.records:
            raise SalesforceError(
                400, "INVALID_TYPE", f"sObject type '{sobject}' is not supported."
            )
    return all_or_none, records


async def _save_collection(request: web.Request, *, create: bool) -> web.StreamResponse:
    state = request.app[SALESFORCE_KEY]
    all_or_none, records = _collection_records(request, state)
    plan = _plan_create if create else _plan_update
    outcomes = [plan(state, r["attributes"]["type"], r) for r in records]
    rolled_back = all_or_none and any(o.errors for o in outcomes)
    results = []
    for outcome in outcomes:
        if rolled_back and not outcome.errors:
            outcome.errors = [
                _save_error("ALL_OR_NONE_OPERATION_ROLLED_BACK", ROLLED_BACK_MESSAGE, [])
            ]
            if create:
                outcome.record_id = None
        elif outcome.apply is not None and not outcome.errors:
            sobject, record_id, values = outcome.apply
            state.records[sobject][record_id] = values
        result: dict[str, Any] = {"id": outcome.record_id} if outcome.record_id else {}
        result |= {"success": not outcome.errors, "errors": outcome.errors}
        results.append(result)
    return json_response(results)


async def create_collection(request: web.Request) -> web.StreamResponse:
    return await _save_collection(request, create=True)


async def update_collection(request: web.Request) -> web.StreamResponse:
    return await _save_collection(request, create=False)


# -- SOQL subset ------------------------------------------------------------------------------
# SELECT f1, f2 FROM Obj [WHERE cond [AND cond]...] [ORDER BY f [ASC|DESC]] [LIMIT n]
# cond: f = v | f != v | f IN (v, ...) | f NOT IN (v, ...); v: 'string', number, true, false, null
_TOKEN = re.compile(
    r"\s*(?:(?P<str>'(?:[^'\\]|\\.)*')|(?P<num>-?\d+(?:\.\d+)?)|(?P<op>!=|<>|=|,|\(|\))"
    r"|(?P<word>[A-Za-z_][A-Za-z0-9_.]*))"
)


def _malformed(message: str) -> SalesforceError:
    return SalesforceError(400, "MALFORMED_QUERY", message)


def _tokenize(soql: str) -> list[tuple[str, Any]]:
    tokens: list[tuple[str, Any]] = []
    position = 0
    soql = soql.strip()
    while position < len(soql):
        match = _TOKEN.match(soql, position)
        if match is None or match.end() == position:
            raise _malformed(f"unexpected token: '{soql[position:].split()[0]}'")
        kind = match.lastgroup or ""
        text = match.group(kind)
        if kind == "str":
            tokens.append(("value", re.sub(r"\\(.)", r"\1", text[1:-1])))
        elif kind == "num":
            tokens.append(("value", float(text) if "." in text else int(text)))
        elif kind == "word" and text.lower() in ("true", "false", "null"):
            tokens.append(("value", {"true": True, "false": False, "null": None}[text.lower()]))
        else:
            tokens.append((kind, text))
        position = match.end()
    return tokens


@dataclass
class _Query:
    fields: list[str]
    sobject: str
    conditions: list[tuple[str, str, list[Any]]]  # (field, "=" | "!=" | "in" | "not in", values)
    order_by: tuple[str, bool] | None = None  # (field, descending)
    limit: int | None = None


class _Parser:
    def __init__(self, soql: str) -> None:
        self.tokens = _tokenize(soql)
        self.pos = 0

    def peek(self) -> tuple[str, Any] | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def take(self) -> tuple[str, Any]:
        token = self.peek()
        if token is None:
            raise _malformed("unexpected end of query")
        self.pos += 1
        return token

    def keyword(self, *words: str) -> bool:
        token = self.peek()
        if token and token[0] == "word" and token[1].upper() == words[0]:
            self.pos += 1
            for word in words[1:]:
                self.expect_word(word)
            return True
        return False

    def expect_word(self, word: str) -> None:
        kind, text = self.take()
        if kind != "word" or str(text).upper() != word:
            raise _malformed(f"unexpected token: '{text}', expecting {word}")

    def name(self) -> str:
        kind, text = self.take()
        if kind != "word":
            raise _malformed(f"unexpected token: '{text}'")
        return str(text)

    def symbol(self, symbol: str) -> None:
        kind, text = self.take()
        if kind != "op" or text != symbol:
            raise _malformed(f"unexpected token: '{text}', expecting '{symbol}'")

    def value(self) -> Any:
        kind, text = self.take()
        if kind != "value":
            raise _malformed(f"unexpected token: '{text}'")
        return text

    def values(self) -> list[Any]:
        self.symbol("(")
        values = [self.value()]
        while self.peek() == ("op", ","):
            self.pos += 1
            values.append(self.value())
        self.symbol(")")
        return values

    def condition(self) -> tuple[str, str, list[Any]]:
        name = self.name()
        if self.keyword("IN"):
            return name, "in", self.values()
        if self.keyword("NOT", "IN"):
            return name, "not in", self.values()
        kind, op = self.take()
        if kind != "op" or op not in ("=", "!=", "<>"):
            raise _malformed(f"unexpected token: '{op}' (the emulator supports =, !=, IN)")
        return name, "=" if op == "=" else "!=", [self.value()]

    def parse(self) -> _Query:
        self.expect_word("SELECT")
        fields = [self.name()]
        while self.peek() == ("op", ","):
            self.pos += 1
            fields.append(self.name())
        self.expect_word("FROM")
        query = _Query(fields, self.name(), [])
        if self.keyword("WHERE"):
            query.conditions.append(self.condition())
            while self.keyword("AND"):
                query.conditions.append(self.condition())
        if self.keyword("ORDER", "BY"):
            order_field = self.name()
            descending = self.keyword("DESC")
            if not descending:
                self.keyword("ASC")
            query.order_by = (order_field, descending)
        if self.keyword("LIMIT"):
            limit = self.value()
            if not isinstance(limit, int) or isinstance(limit, bool) or limit < 0:
                raise _malformed(f"unexpected token: '{limit}', expecting a LIMIT count")
            query.limit = limit
        extra = self.peek()
        if extra is not None:
            raise _malformed(f"unexpected token: '{extra[1]}'")
        return query


def _field_value(record: dict[str, Any], name: str) -> tuple[str, Any]:
    lowered = name.lower()
    for key, value in record.items():
        if key.lower() == lowered:
            return key, value
    return name, None


def _comparable(sobject: str, name: str, value: Any) -> Any:
    is_id = name.lower() == "id" or name.lower() in {
        f.lower() for f in REFERENCE_FIELDS.get(sobject, {})
    }
    if isinstance(value, str):
        return (normalize_id(value) or value) if is_id else value.casefold()
    return value


def _matches(sobject: str, record: dict[str, Any], condition: tuple[str, str, list[Any]]) -> bool:
    name, op, values = condition
    actual = _comparable(sobject, name, _field_value(record, name)[1])
    wanted = [_comparable(sobject, name, v) for v in values]
    hit = actual in wanted
    return hit if op in ("=", "in") else not hit


def _run_query(state: SalesforceState, soql: str, version: str) -> list[dict[str, Any]]:
    query = _Parser(soql).parse()
    sobject = next((s for s in state.records if s.lower() == query.sobject.lower()), None)
    if sobject is None:
        raise SalesforceError(
            400, "INVALID_TYPE", f"sObject type '{query.sobject}' is not supported."
        )
    rows = [
        r
        for r in state.records[sobject].values()
        if all(_matches(sobject, r, c) for c in query.conditions)
    ]
    if query.order_by is not None:
        order_field, descending = query.order_by
        # Salesforce sorts nulls first ascending (NULLS FIRST is the default).
        rows.sort(
            key=lambda r: (
                _field_value(r, order_field)[1] is not None,
                str(_field_value(r, order_field)[1]),
            ),
            reverse=descending,
        )
    if query.limit is not None:
        rows = rows[: query.limit]
    out = []
    for row in rows:
        item: dict[str, Any] = {
            "attributes": {
                "type": sobject,
                "url": f"/services/data/{version}/sobjects/{sobject}/{row['Id']}",
            }
        }
        for name in query.fields:
            key, value = _field_value(row, name)
            item[key] = value
        out.append(item)
    return out


def _query_page(
    state: SalesforceState, rows: list[dict[str, Any]], total: int, version: str
) -> dict[str, Any]:
    page, rest = rows[: state.query_batch_size], rows[state.query_batch_size :]
    body: dict[str, Any] = {"totalSize": total, "done": not rest, "records": page}
    if rest:
        state._cursor_counter += 1
        locator = f"01gHs{state._cursor_counter:010d}-{total - len(rest)}"
        state._cursors[locator] = rest
        body["nextRecordsUrl"] = f"/services/data/{version}/query/{locator}"
    return body


async def query(request: web.Request) -> web.StreamResponse:
    state = request.app[SALESFORCE_KEY]
    version = request.match_info["version"]
    soql = request.query.get("q")
    if not soql:
        raise _malformed("A query string (q) is required")
    rows = _run_query(state, soql, version)
    return json_response(_query_page(state, rows, len(rows), version))


async def query_more(request: web.Request) -> web.StreamResponse:
    state = request.app[SALESFORCE_KEY]
    locator = request.match_info["locator"]
    rows = state._cursors.pop(locator, None)
    if rows is None:
        raise SalesforceError(400, "INVALID_QUERY_LOCATOR", "invalid query locator")
    total = int(locator.rpartition("-")[2]) + len(rows)
    return json_response(_query_page(state, rows, total, request.match_info["version"]))


async def limits(request: web.Request) -> web.StreamResponse:
    state = request.app[SALESFORCE_KEY]
    remaining = state.window.daily_remaining(state.clock())
    return json_response({"DailyApiRequests": {"Max": state.daily_limit, "Remaining": remaining}})


# The refresh token flow (Postman collection, auth/refresh_token.json).
TOKEN_PATH = "/services/oauth2/token"
_TOKEN_REFUSALS = {
    Refusal.BAD_REQUEST: ("unsupported_grant_type", "grant type not supported"),
    Refusal.BAD_CLIENT: ("invalid_client_id", "client identifier invalid"),
    Refusal.BAD_GRANT: ("invalid_grant", "expired access/refresh token"),
}


async def oauth_token(request: web.Request) -> web.StreamResponse:
    state = request.app[SALESFORCE_KEY]
    issued = await state.oauth.exchange(state, request)
    if isinstance(issued, Refusal):
        error, description = _TOKEN_REFUSALS[issued]
        return json_response({"error": error, "error_description": description}, 400)
    issued_at = str(int(time.time() * 1000))
    instance = state.instance_url or f"{request.scheme}://{request.host}"
    body: dict[str, Any] = {
        "access_token": issued.access_token,
        "signature": base64.b64encode(hashlib.sha256(issued_at.encode()).digest()).decode(),
        "scope": "refresh_token api",
        "instance_url": instance,
        "id": f"{instance}/id/00D000000000001EAA/005000000000001AAA",
        "token_type": "Bearer",
        "issued_at": issued_at,
    }
    if issued.rotated:  # only connected apps that rotate send the next refresh token
        body["refresh_token"] = issued.refresh_token
    return json_response(body)


# -- app --------------------------------------------------------------------------------------
def _token(request: web.Request) -> str | None:
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    return token.strip() if scheme.lower() in ("bearer", "oauth") else None


@web.middleware
async def _gate(request: web.Request, handler: Handler) -> web.StreamResponse:
    state = request.app[SALESFORCE_KEY]
    response: web.StreamResponse
    if request.path == TOKEN_PATH:  # the OAuth endpoint takes no session and counts no call
        return await handler(request)
    if not state.accepts(_token(request)):
        response = SalesforceError(
            401, "INVALID_SESSION_ID", "Session expired or invalid"
        ).response()
    elif state.window.acquire(state.clock()) is LimitVerdict.DAILY:
        response = SalesforceError(
            403, "REQUEST_LIMIT_EXCEEDED", "TotalRequests Limit exceeded."
        ).response()
    else:
        try:
            response = await handler(request)
        except SalesforceError as exc:
            response = exc.response()
        except web.HTTPNotFound:
            response = SalesforceError(
                404, "NOT_FOUND", "The requested resource does not exist"
            ).response()
        except web.HTTPMethodNotAllowed as exc:
            response = SalesforceError(
                405, "METHOD_NOT_ALLOWED", f"HTTP Method '{exc.method}' not allowed."
            ).response()
    response.headers.update(state.limit_headers(request))
    return response


def create_app(state: SalesforceState | None = None) -> web.Application:
    state = state if state is not None else SalesforceState()
    app = build_app(state, _gate)
    app[SALESFORCE_KEY] = state
    base = r"/services/data/{version:v\d+\.\d+}"
    app.router.add_post(f"{base}/composite/sobjects", create_collection)
    app.router.add_patch(f"{base}/composite/sobjects", update_collection)
    app.router.add_get(f"{base}/query", query)
    app.router.add_get(f"{base}/query/", query)
    app.router.add_get(f"{base}/query/{{locator}}", query_more)
    app.router.add_get(f"{base}/limits", limits)
    app.router.add_get(f"{base}/limits/", limits)
    app.router.add_post(TOKEN_PATH, oauth_token)
    return app


async def serve(
    state: SalesforceState | None = None, host: str = "127.0.0.1", port: int = 0
) -> RunningEmulator[SalesforceState]:
    state = state if state is not None else SalesforceState()
    return await serve_app(create_app(state), state, host, port)
