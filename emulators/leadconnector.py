"""HighLevel / LeadConnector associations emulator (services.leadconnectorhq.com).

Endpoints (../shared/specs/gohighlevel/apps/associations.json): POST /associations/relations,
GET /associations/relations/{recordId}, GET /associations/ (list of association definitions).

Headers: `Authorization: Bearer <token>` and `Version`. Observed runtime behaviour (live probes
quoted in public integration notes) is followed rather than the spec's enum: a missing Version
header is 401 {"statusCode": 401, "message": "version header was not found."}, an unpublished
value is 401 {"statusCode": 401, "message": "version header is invalid"}, and every published
version (2021-07-28, 2021-04-15, 2023-02-21, v3) is accepted on these existing paths.

Error bodies (NestJS style, ../shared/specs/gohighlevel/common/common-schemas.json):
    401 {"statusCode": 401, "message": "Invalid JWT", "error": "Unauthorized"}
    400 {"statusCode": 400, "message": str}   (unknown association or record, wrong object key,
        duplicate: "Could not create relation: duplicate relation of object Ids for given
        association <associationId>", highlevel-api-docs issue #73)
    422 {"statusCode": 422, "message": [str, ...], "error": "Unprocessable Entity"}
        (class-validator messages: "locationId must be a string", "... should not be empty",
        "property x should not exist", "skip must be a number conforming to the specified
        constraints")
    429 {"statusCode": 429, "message": "Too Many Requests"}  (body unconfirmed by HighLevel)
    404 {"statusCode": 404, "message": "Cannot GET /path", "error": "Not Found"}
Create-relation reply (201): the spec declares the association DTO, real replies describe the
relation; the emulator sends both, relation first:
    {"id": relationId, "associationId", "firstRecordId", "secondRecordId", "firstObjectKey",
     "secondObjectKey", "locationId", "key", "firstObjectLabel", "secondObjectLabel",
     "associationType"}
List replies carry a list and a total although the spec declares the single DTO:
    GET /associations/relations/{recordId} -> {"relations": [relation...], "total": N}
    GET /associations/ -> {"associations": [definition...], "total": N}
Contacts and businesses (../shared/specs/gohighlevel/apps/contacts.json): POST
/contacts/bulk/business {locationId, ids, businessId} sets (or, with null, clears) the contacts'
business and answers 200 {"success": true, "ids": [the contacts updated]}; ids that are not
contacts of the location are left out; an unknown business is 400 "Business not found".
Opportunities (apps/opportunities.json): PUT /opportunities/{id} {contactId, ...} answers 200
{"opportunity": {id, contactId, ...}}; an unknown opportunity or contact is 400.
Rate limits are per location (100 / 10 s burst, 200,000 a day by default).
"""

from __future__ import annotations

import json
import math
import random
import string
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
    serve_app,
)
from emulators.faults import FaultRule
from emulators.oauth import Refusal

API_VERSION = "2021-07-28"
PUBLISHED_VERSIONS = frozenset({"2021-07-28", "2021-04-15", "2023-02-21", "v3"})
USER_DEFINED = "USER_DEFINED"
SYSTEM_DEFINED = "SYSTEM_DEFINED"
RELATION_FIELDS = ("locationId", "associationId", "firstRecordId", "secondRecordId")
_ID_ALPHABET = string.ascii_letters + string.digits


@dataclass
class Location:
    records: dict[str, str] = field(default_factory=dict)  # record id -> object key
    associations: dict[str, dict[str, Any]] = field(default_factory=dict)  # id -> definition
    relations: dict[str, dict[str, Any]] = field(default_factory=dict)  # id -> relation
    fields: dict[str, dict[str, Any]] = field(default_factory=dict)  # businessId, contactId


@dataclass
class LeadConnectorState(EmulatorState):
    locations: dict[str, Location] = field(default_factory=dict)
    accepted_versions: frozenset[str] = PUBLISHED_VERSIONS
    rate_limit_enabled: bool = True
    burst_limit: int = 100  # per app per location, marketplace rate-limit docs
    interval_ms: int = 10_000
    daily_limit: int = 200_000
    send_retry_after: bool = False
    id_seed: int = 0  # generated ids are reproducible
    _windows: dict[str, RateWindow] = field(default_factory=dict, init=False, repr=False)
    _rng: random.Random = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._rng = random.Random(self.id_seed)
        # HighLevel: access tokens for about 24 h, single-use refresh tokens.
        self.oauth.rotate, self.oauth.lifetime_seconds = True, 86_399

    def refused_headers(self, request: web.Request) -> dict[str, str]:
        return {**self.limit_headers(request), "X-RateLimit-Remaining": "0"}

    def new_id(self) -> str:
        return "".join(self._rng.choice(_ID_ALPHABET) for _ in range(20))

    # -- data ----------------------------------------------------------------------------------
    def add_location(self, location_id: str) -> Location:
        return self.locations.setdefault(location_id, Location())

    def add_record(self, location_id: str, record_id: str, object_key: str) -> None:
        self.add_location(location_id).records[record_id] = object_key

    def add_association(
        self,
        location_id: str,
        association_id: str,
        key: str,
        first_object_key: str,
        first_object_label: str,
        second_object_key: str,
        second_object_label: str,
        association_type: str = USER_DEFINED,
    ) -> dict[str, Any]:
        definition = {
            "locationId": location_id,
            "id": association_id,
            "key": key,
            "firstObjectLabel": first_object_label,
            "firstObjectKey": first_object_key,
            "secondObjectLabel": second_object_label,
            "secondObjectKey": second_object_key,
            "associationType": association_type,
        }
        self.add_location(location_id).associations[association_id] = definition
        return definition

    def add_relation(
        self, location_id: str, association_id: str, first_record_id: str, second_record_id: str
    ) -> dict[str, Any]:
        """Store a relation without the API's checks; returns its wire form."""
        definition = self.locations[location_id].associations[association_id]
        relation = {
            "id": self.new_id(),
            "associationId": association_id,
            "firstRecordId": first_record_id,
            "secondRecordId": second_record_id,
            "firstObjectKey": definition["firstObjectKey"],
            "secondObjectKey": definition["secondObjectKey"],
            "locationId": location_id,
            "key": definition["key"],
            "firstObjectLabel": definition["firstObjectLabel"],
            "secondObjectLabel": definition["secondObjectLabel"],
            "associationType": definition["associationType"],
        }
        self.locations[location_id].relations[relation["id"]] = relation
        return relation

    # -- rate limits ---------------------------------------------------------------------------
    def window(self, location_id: str) -> RateWindow:
        window = self._windows.setdefault(location_id, RateWindow(None, 0, 0))
        window.burst_max = self.burst_limit
        window.interval_s = self.interval_ms / 1000
        window.daily_max = self.daily_limit
        return window

    def limit_headers(self, request: web.Request) -> dict[str, str]:
        now, window = self.clock(), self.window(_location_of(request))
        return {
            "X-RateLimit-Max": str(self.burst_limit),
            "X-RateLimit-Remaining": str(window.burst_remaining(now)),
            "X-RateLimit-Interval-Milliseconds": str(self.interval_ms),
            "X-RateLimit-Limit-Daily": str(self.daily_limit),
            "X-RateLimit-Daily-Remaining": str(window.daily_remaining(now)),
        }

    def fault_body(self, rule: FaultRule, status: int) -> Any:
        messages = {
            429: "Too Many Requests",
            500: "Internal server error",
            502: "Bad Gateway",
            503: "Service Unavailable",
            504: "Gateway Timeout",
        }
        return {"statusCode": status, "message": messages.get(status, "Error")}


LEADCONNECTOR_KEY = web.AppKey("leadconnector_state", LeadConnectorState)


class LeadConnectorError(Exception):
    def __init__(self, status: int, message: str | list[str], error: str | None = None) -> None:
        super().__init__(str(message))
        self.status, self.message, self.error = status, message, error

    def response(self) -> web.Response:
        body: dict[str, Any] = {"statusCode": self.status, "message": self.message}
        if self.error is not None:
            body["error"] = self.error
        return json_response(body, self.status)


def _location_of(request: web.Request) -> str:
    """The location a call is billed to: locationId from the query or the JSON body."""
    location = request.query.get("locationId")
    if location is None:
        call = request.get(CALL_KEY)
        body = call.body if call is not None else None
        location = body.get("locationId") if isinstance(body, dict) else None
    return location if isinstance(location, str) else ""


def _unprocessable(messages: list[str]) -> LeadConnectorError:
    return LeadConnectorError(422, messages, "Unprocessable Entity")


def _string_messages(values: dict[str, Any], names: tuple[str, ...]) -> list[str]:
    messages = []
    for name in names:
        value = values.get(name)
        if value is None or value == "":
            messages.append(f"{name} should not be empty")
        if not isinstance(value, str):
            messages.append(f"{name} must be a string")
    return messages


def _page(request: web.Request) -> tuple[str, int, int]:
    """locationId, skip, limit from the query (422 like HighLevel's DTO validation)."""
    query = request.query
    messages = _string_messages(dict(query), ("locationId",))
    numbers = {}
    for name in ("skip", "limit"):
        try:
            numbers[name] = int(float(query[name]))
        except (KeyError, ValueError):
            messages.append(f"{name} must be a number conforming to the specified constraints")
    if messages:
        raise _unprocessable(messages)
    return query["locationId"], max(numbers["skip"], 0), max(numbers["limit"], 0)


async def create_relation(request: web.Request) -> web.StreamResponse:
    state = request.app[LEADCONNECTOR_KEY]
    call = request[CALL_KEY]
    try:
        body = json.loads(call.raw_body) if call.raw_body else {}
    except ValueError as exc:
        raise LeadConnectorError(400, f"Unexpected token in JSON: {exc}", "Bad Request") from exc
    values = body if isinstance(body, dict) else {}
    messages = [f"property {k} should not exist" for k in values if k not in RELATION_FIELDS]
    messages += _string_messages(values, RELATION_FIELDS)
    if messages:
        raise _unprocessable(messages)
    location_id, association_id = values["locationId"], values["associationId"]
    location = state.locations.get(location_id)
    definition = location.associations.get(association_id) if location else None
    if location is None or definition is None:
        raise LeadConnectorError(400, f"Association not found for id {association_id}")
    for side in ("first", "second"):
        record_id, expected = values[f"{side}RecordId"], definition[f"{side}ObjectKey"]
        actual = location.records.get(record_id)
        if actual is None:
            raise LeadConnectorError(400, f"Record not found for id {record_id}")
        if actual != expected:
            raise LeadConnectorError(
                400, f"Record {record_id} is a {actual}, the association expects {expected}"
            )
    pair = (association_id, values["firstRecordId"], values["secondRecordId"])
    if any(
        (r["associationId"], r["firstRecordId"], r["secondRecordId"]) == pair
        for r in location.relations.values()
    ):
        raise LeadConnectorError(
            400,
            "Could not create relation: duplicate relation of object Ids for given association "
            f"{association_id}",
        )
    relation = state.add_relation(location_id, *pair)
    return json_response(relation, 201)


def _body(request: web.Request) -> dict[str, Any]:
    call = request[CALL_KEY]
    try:
        body = json.loads(call.raw_body) if call.raw_body else {}
    except ValueError as exc:
        raise LeadConnectorError(400, f"Unexpected token in JSON: {exc}", "Bad Request") from exc
    return body if isinstance(body, dict) else {}


async def contacts_business(request: web.Request) -> web.StreamResponse:
    state = request.app[LEADCONNECTOR_KEY]
    values = _body(request)
    messages = [
        f"property {k} should not exist"
        for k in values
        if k not in ("locationId", "ids", "businessId")
    ]
    messages += _string_messages(values, ("locationId",))
    ids, business_id = values.get("ids"), values.get("businessId", "")
    if not isinstance(ids, list) or not all(isinstance(i, str) for i in ids):
        messages.append("ids must be an array of strings")
    if business_id is not None and not isinstance(business_id, str):
        messages.append("businessId must be a string")
    if messages or not isinstance(ids, list):
        raise _unprocessable(messages)
    location = state.locations.get(values["locationId"], Location())
    if business_id is not None and location.records.get(business_id) != "business":
        raise LeadConnectorError(400, f"Business not found for id {business_id}")
    updated = [i for i in ids if location.records.get(i) == "contact"]
    for contact_id in updated:
        location.fields.setdefault(contact_id, {})["businessId"] = business_id
    return json_response({"success": True, "ids": updated})


async def update_opportunity(request: web.Request) -> web.StreamResponse:
    state = request.app[LEADCONNECTOR_KEY]
    values = _body(request)
    opportunity_id = request.match_info["id"]
    location = next(
        (
            loc
            for loc in state.locations.values()
            if loc.records.get(opportunity_id) == "opportunity"
        ),
        None,
    )
    if location is None:
        raise LeadConnectorError(400, f"Opportunity not found for id {opportunity_id}")
    contact_id = values.get("contactId")
    if contact_id is not None:
        if not isinstance(contact_id, str):
            raise _unprocessable(["contactId must be a string"])
        if location.records.get(contact_id) != "contact":
            raise LeadConnectorError(400, f"Contact not found for id {contact_id}")
    stored = location.fields.setdefault(opportunity_id, {})
    stored.update(values)
    return json_response({"opportunity": {"id": opportunity_id, **stored}})


async def list_relations(request: web.Request) -> web.StreamResponse:
    state = request.app[LEADCONNECTOR_KEY]
    location_id, skip, limit = _page(request)
    record_id = request.match_info["recordId"]
    wanted = {a for value in request.query.getall("associationIds", []) for a in value.split(",")}
    location = state.locations.get(location_id, Location())
    relations = [
        r
        for r in location.relations.values()
        if record_id in (r["firstRecordId"], r["secondRecordId"])
        and (not wanted or r["associationId"] in wanted)
    ]
    return json_response({"relations": relations[skip : skip + limit], "total": len(relations)})


async def list_associations(request: web.Request) -> web.StreamResponse:
    state = request.app[LEADCONNECTOR_KEY]
    location_id, skip, limit = _page(request)
    definitions = list(state.locations.get(location_id, Location()).associations.values())
    return json_response(
        {"associations": definitions[skip : skip + limit], "total": len(definitions)}
    )


def _bearer(request: web.Request) -> str | None:
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" else None


# https://highlevel.stoplight.io/docs/integrations/ (OAuth 2.0 > Get Access Token)
TOKEN_PATH = "/oauth/token"
_TOKEN_REFUSALS = {
    Refusal.BAD_REQUEST: (400, "Invalid request: grant_type and user_type are required"),
    Refusal.BAD_CLIENT: (401, "Invalid client: client_id or client_secret is wrong"),
    Refusal.BAD_GRANT: (400, "Invalid grant: refresh token is invalid"),
}
USER_TYPES = ("Location", "Company")


async def oauth_token(request: web.Request) -> web.StreamResponse:
    state = request.app[LEADCONNECTOR_KEY]
    form = await request.post()
    user_type = form.get("user_type")
    issued = (
        await state.oauth.exchange(state, request)
        if user_type in USER_TYPES
        else Refusal.BAD_REQUEST
    )
    if isinstance(issued, Refusal):
        status, message = _TOKEN_REFUSALS[issued]
        error = "Unauthorized" if status == 401 else "Bad Request"
        return LeadConnectorError(status, message, error).response()
    location = next(iter(state.locations), None)
    return json_response(
        {
            "access_token": issued.access_token,
            "token_type": "Bearer",
            "expires_in": issued.expires_in,
            "refresh_token": issued.refresh_token,
            "scope": "associations.readonly associations.write",
            "userType": user_type,
            "locationId": location if user_type == "Location" else None,
            "companyId": "emulated-company",
            "userId": "emulated-user",
        }
    )


def _admission(request: web.Request, state: LeadConnectorState) -> web.Response | None:
    """Auth, Version and rate-limit checks; a refusal reply or None."""
    if request.path == TOKEN_PATH:  # the OAuth endpoint takes no bearer token or Version
        return None
    if not state.accepts(_bearer(request)):
        return LeadConnectorError(401, "Invalid JWT", "Unauthorized").response()
    version = request.headers.get("Version")
    if version is None:
        return LeadConnectorError(401, "version header was not found.").response()
    if version not in state.accepted_versions:
        return LeadConnectorError(401, "version header is invalid").response()
    if not state.rate_limit_enabled:
        return None
    window = state.window(_location_of(request))
    if window.acquire(state.clock()) is LimitVerdict.OK:
        return None
    response = LeadConnectorError(429, "Too Many Requests").response()
    if state.send_retry_after:
        response.headers["Retry-After"] = str(math.ceil(window.retry_after(state.clock())))
    return response


@web.middleware
async def _gate(request: web.Request, handler: Handler) -> web.StreamResponse:
    state = request.app[LEADCONNECTOR_KEY]
    response: web.StreamResponse | None = _admission(request, state)
    if response is None:
        try:
            response = await handler(request)
        except LeadConnectorError as exc:
            response = exc.response()
        except (web.HTTPNotFound, web.HTTPMethodNotAllowed):
            message = f"Cannot {request.method} {request.path}"
            response = LeadConnectorError(404, message, "Not Found").response()
    response.headers.update(state.limit_headers(request))
    return response


def create_app(state: LeadConnectorState | None = None) -> web.Application:
    state = state if state is not None else LeadConnectorState()
    app = build_app(state, _gate)
    app[LEADCONNECTOR_KEY] = state
    app.router.add_post("/associations/relations", create_relation)
    app.router.add_post("/contacts/bulk/business", contacts_business)
    app.router.add_put("/opportunities/{id}", update_opportunity)
    app.router.add_get("/associations/relations/{recordId}", list_relations)
    app.router.add_get("/associations/", list_associations)
    app.router.add_get("/associations", list_associations)
    app.router.add_post(TOKEN_PATH, oauth_token)
    return app


async def serve(
    state: LeadConnectorState | None = None, host: str = "127.0.0.1", port: int = 0
) -> RunningEmulator[LeadConnectorState]:
    state = state if state is not None else LeadConnectorState()
    return await serve_app(create_app(state), state, host, port)
