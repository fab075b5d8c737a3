"""HubSpot CRM associations emulator (api.hubapi.com), from ../shared/specs/hubspot.

Endpoints, in both API versions (``ROUTES``): batch create (v3 with type names; 2026-09 with
``types`` of category and type id, refusing v3 names), PUT default, labelled PUT (a list of
association specs, 201 `{fromObjectTypeId, fromObjectId, toObjectTypeId, toObjectId, labels}`),
batch associate-default, batch read, labels, and the objects batch read (which records exist).
The endpoints the specs tag
``x-hubspot-rate-limit-exemptions: ["ten-secondly"]`` count against the daily quota only.
Each batch endpoint refuses more inputs than its limit (``*_batch_limit``, settable) with a
400 VALIDATION_ERROR "Batch input size must be between 1 and N, got M". Object types include
HubSpot's leads (0-136), whose default association types to contacts and companies are
modelled as 608/609 and 610/611 (the primary ones, 578/579 and 580/581, labelled "Primary").

Error bodies (HubSpot error model; `subCategory` is a string as in real replies, not the spec's
object). Every error reply also carries the `X-HubSpot-Correlation-Id` header.
    {"status": "error", "message": str, "correlationId": uuid, "category": str,
     "context"?: {str: [str]}}
    categories: 401 INVALID_AUTHENTICATION, 400 VALIDATION_ERROR, 404 OBJECT_NOT_FOUND,
    409 CONFLICT (context {"fromObjectId": [id], "toObjectId": [id]} of the conflicting pair);
    429: {"status": "error", "message": "You have reached your ten_secondly_rolling limit.",
          "errorType": "RATE_LIMIT", "correlationId": uuid, "policyName": "TEN_SECONDLY_ROLLING"}
         (message "You have reached your daily limit." and policyName "DAILY" for the quota).
Batch envelopes: {"status": "COMPLETE", "results": [...], "startedAt", "completedAt"} plus
"numErrors" and "errors" when some inputs fail. One error per failing input:
    {"status": "error", "category": str, "subCategory"?: str, "message": str,
     "context": {"fromObjectId": [id]} and/or {"toObjectId": [id]}}
  - v3 batch create (201 / 207), 2026-09 batch create and associate default (200 / 207):
    unknown ids give category
    OBJECT_NOT_FOUND with the missing side(s) in context, so an input fails when its from id is
    in an error's fromObjectId or its to id in an error's toObjectId.
  - v4 batch read (200 / 207): an id with no associations (unknown ids too: HubSpot does not
    tell them apart) gives category OBJECT_NOT_FOUND, subCategory
    "crm.associations.NO_ASSOCIATIONS_FOUND", message "No company is associated with contact 1.",
    context {"fromObjectId": [id], "fromObjectType": ["contact"], "toObjectType": ["company"]}.
  - PARTIAL_BATCH faults give category `rule.category` (default INTERNAL_ERROR) with both
    fromObjectId and toObjectId (fromObjectId only for batch read) in context.
"""

from __future__ import annotations

import base64
import binascii
import math
import re
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from aiohttp import web

from emulators.common import (
    CALL_KEY,
    EmulatorState,
    Handler,
    LimitVerdict,
    RateWindow,
    RunningEmulator,
    build_app,
    handler_fault,
    json_response,
    now_iso,
    read_json,
    serve_app,
)
from emulators.faults import FaultKind, FaultRule
from emulators.oauth import Refusal

# canonical name -> (object type id, singular name)
OBJECT_TYPES: dict[str, tuple[str, str]] = {
    "contacts": ("0-1", "contact"),
    "companies": ("0-2", "company"),
    "deals": ("0-3", "deal"),
    "tickets": ("0-5", "ticket"),
    "leads": ("0-136", "lead"),
}
_TYPE_ALIASES = {
    alias: name
    for name, (type_id, singular) in OBJECT_TYPES.items()
    for alias in (name, type_id, singular)
}

HUBSPOT_DEFINED = "HUBSPOT_DEFINED"
USER_DEFINED = "USER_DEFINED"
AUTH_MESSAGE = (
    "Authentication credentials not found. This API supports OAuth 2.0 authentication and you "
    "can find more details at https://developers.hubspot.com/docs/methods/auth/oauth-overview"
)


@dataclass(frozen=True)
class AssociationType:
    from_type: str
    to_type: str
    type_id: int
    reverse_id: int  # the paired type id stored for the other direction
    label: str | None = None
    category: str = HUBSPOT_DEFINED

    def wire(self) -> dict[str, Any]:
        return {"category": self.category, "typeId": self.type_id, "label": self.label}


def _pair(a: str, b: str, a_to_b: int, b_to_a: int, label: str | None = None) -> list[Any]:
    return [
        AssociationType(a, b, a_to_b, b_to_a, label),
        AssociationType(b, a, b_to_a, a_to_b, label),
    ]


# HubSpot-defined association types (developers.hubspot.com, "Association type id values").
BUILTIN_TYPES: tuple[AssociationType, ...] = tuple(
    _pair("contacts", "companies", 279, 280)
    + _pair("contacts", "companies", 1, 2, "Primary")
    + _pair("deals", "contacts", 3, 4)
    + _pair("deals", "companies", 341, 342)
    + _pair("deals", "companies", 5, 6, "Primary")
    + _pair("contacts", "tickets", 15, 16)
    + _pair("tickets", "companies", 339, 340)
    + _pair("tickets", "companies", 26, 25, "Primary")
    + _pair("deals", "tickets", 27, 28)
    + _pair("leads", "contacts", 608, 609)
    + _pair("leads", "contacts", 578, 579, "Primary")
    + _pair("leads", "companies", 610, 611)
    + _pair("leads", "companies", 580, 581, "Primary")
)
# (from, to) -> the unlabeled default type id
DEFAULT_TYPE_IDS: dict[tuple[str, str], int] = {
    (t.from_type, t.to_type): t.type_id for t in BUILTIN_TYPES if t.label is None
}
V3_TYPE_NAMES: dict[str, int] = {
    f"{OBJECT_TYPES[f][1]}_to_{OBJECT_TYPES[t][1]}": type_id
    for (f, t), type_id in DEFAULT_TYPE_IDS.items()
}


class AssociationRow(NamedTuple):
    from_type: str
    from_id: str
    to_type: str
    to_id: str
    category: str
    type_id: int


def canonical_type(name: str) -> str | None:
    """contacts/contact/0-1 -> "contacts"; None when unknown."""
    return _TYPE_ALIASES.get(name.lower())


@dataclass
class HubSpotState(EmulatorState):
    records: dict[str, set[str]] = field(default_factory=lambda: {t: set() for t in OBJECT_TYPES})
    associations: set[AssociationRow] = field(default_factory=set)  # both directions stored
    user_labels: list[AssociationType] = field(default_factory=list)  # USER_DEFINED types
    conflicting_pairs: set[tuple[str, str]] = field(default_factory=set)  # (id, id), any order
    v3_batch_limit: int = 100
    dated_create_batch_limit: int = 2000  # 2026-09 batch create
    v4_default_batch_limit: int = 2000
    read_batch_limit: int = 1000  # HubSpot changelog 2025-02-10
    read_page_size: int = 500
    object_read_batch_limit: int = 100  # objects batch read: 100 ids a call
    rate_limit_enabled: bool = True
    burst_limit: int = 190  # private app, Professional/Enterprise: 190 / 10 s
    interval_ms: int = 10_000
    daily_limit: int = 625_000
    send_retry_after: bool = False  # Retry-After on 429 is unconfirmed for HubSpot
    send_daily_headers: bool = True  # HubSpot omits the daily headers for OAuth apps
    _type_index: dict[tuple[int, str, str], dict[int, AssociationType]] = field(
        default_factory=dict, init=False, repr=False
    )
    _window: RateWindow | None = field(default=None, init=False, repr=False)
    _index: dict[tuple[str, str, str], dict[str, set[int]]] = field(
        default_factory=dict, init=False, repr=False
    )
    _indexed: int = field(default=-1, init=False, repr=False)

    # -- records and associations -------------------------------------------------------------
    def add_records(self, object_type: str, *ids: str) -> None:
        self.records.setdefault(_must_type(object_type), set()).update(ids)

    def has_record(self, object_type: str, object_id: str) -> bool:
        return object_id in self.records.get(object_type, set())

    def add_label(
        self, from_type: str, to_type: str, label: str, inverse_label: str | None = None
    ) -> AssociationType:
        """Define a USER_DEFINED label pair; returns the from->to type."""
        f, t = _must_type(from_type), _must_type(to_type)
        next_id = max([known.type_id for known in self.user_labels] + [1000]) + 1
        forward = AssociationType(f, t, next_id, next_id + 1, label, USER_DEFINED)
        backward = AssociationType(t, f, next_id + 1, next_id, inverse_label or label, USER_DEFINED)
        self.user_labels += [forward, backward]
        return forward

    def association_types(self, from_type: str, to_type: str) -> list[AssociationType]:
        types = [*BUILTIN_TYPES, *self.user_labels]
        return sorted(
            (t for t in types if (t.from_type, t.to_type) == (from_type, to_type)),
            key=lambda t: (t.category != HUBSPOT_DEFINED, t.type_id),
        )

    def find_type(self, from_type: str, to_type: str, type_id: int) -> AssociationType | None:
        # Called twice per batch input: look up in a dict rebuilt only when labels change.
        key = (len(self.user_labels), from_type, to_type)
        if key not in self._type_index:
            self._type_index[key] = {
                t.type_id: t for t in self.association_types(from_type, to_type)
            }
        return self._type_index[key].get(type_id)

    def associate(
        self,
        from_type: str,
        from_id: str,
        to_type: str,
        to_id: str,
        type_id: int | None = None,
    ) -> None:
        """Store an association in both directions (labelled ones keep the unlabeled default)."""
        f, t = _must_type(from_type), _must_type(to_type)
        default = DEFAULT_TYPE_IDS.get((f, t))
        wanted = [type_id if type_id is not None else default]
        if type_id is not None and default is not None and type_id != default:
            wanted.append(default)
        for wanted_id in wanted:
            kind = self.find_type(f, t, wanted_id) if wanted_id is not None else None
            if kind is None:
                raise ValueError(f"no association type {wanted_id} from {f} to {t}")
            in_sync = self._indexed == len(self.associations)
            for row in (
                AssociationRow(f, from_id, t, to_id, kind.category, kind.type_id),
                AssociationRow(t, to_id, f, from_id, kind.category, kind.reverse_id),
            ):
                self.associations.add(row)
                key = (row.from_type, row.from_id, row.to_type)
                self._index.setdefault(key, {}).setdefault(row.to_id, set()).add(row.type_id)
            if in_sync:
                self._indexed = len(self.associations)

    def associated(self, from_type: str, from_id: str, to_type: str) -> dict[str, list[int]]:
        """to id -> type ids of the associations of one record towards `to_type`."""
        if self._indexed != len(self.associations):  # rows were added outside associate()
            self._index.clear()
            for row in self.associations:
                key = (row.from_type, row.from_id, row.to_type)
                self._index.setdefault(key, {}).setdefault(row.to_id, set()).add(row.type_id)
            self._indexed = len(self.associations)
        found = self._index.get((from_type, from_id, to_type), {})
        return {to_id: sorted(type_ids) for to_id, type_ids in found.items()}

    def is_conflicting(self, from_id: str, to_id: str) -> bool:
        pairs = self.conflicting_pairs
        return (from_id, to_id) in pairs or (to_id, from_id) in pairs

    # -- rate limits ---------------------------------------------------------------------------
    @property
    def window(self) -> RateWindow:
        if self._window is None:
            self._window = RateWindow(None, 0, 0)
        self._window.burst_max = self.burst_limit
        self._window.interval_s = self.interval_ms / 1000
        self._window.daily_max = self.daily_limit
        return self._window

    def limit_headers(self, request: web.Request) -> dict[str, str]:
        now = self.clock()
        burst_remaining = self.window.burst_remaining(now)
        headers = {
            "X-HubSpot-RateLimit-Max": str(self.burst_limit),
            "X-HubSpot-RateLimit-Remaining": str(burst_remaining),
            "X-HubSpot-RateLimit-Interval-Milliseconds": str(self.interval_ms),
        }
        if self.send_daily_headers:
            headers["X-HubSpot-RateLimit-Daily"] = str(self.daily_limit)
            headers["X-HubSpot-RateLimit-Daily-Remaining"] = str(self.window.daily_remaining(now))
        return headers

    def refused_headers(self, request: web.Request) -> dict[str, str]:
        return {**self.limit_headers(request), "X-HubSpot-RateLimit-Remaining": "0"}

    def fault_body(self, rule: FaultRule, status: int) -> Any:
        if status == 429:
            return _rate_limit_body(daily=False)
        messages = {504: "The request timed out.", 502: "Bad gateway", 503: "Service unavailable"}
        return _error_body("INTERNAL_ERROR", messages.get(status, "internal error"))


class HubSpotError(Exception):
    def __init__(
        self,
        status: int,
        category: str,
        message: str,
        context: dict[str, list[str]] | None = None,
    ) -> None:
        super().__init__(message)
        self.status, self.category, self.message, self.context = status, category, message, context

    def response(self) -> web.Response:
        body = _error_body(self.category, self.message, self.context)
        return json_response(body, self.status, {"X-HubSpot-Correlation-Id": body["correlationId"]})


def _must_type(name: str) -> str:
    canonical = canonical_type(name)
    if canonical is None:
        raise ValueError(f"unknown HubSpot object type {name!r}")
    return canonical


def _error_body(
    category: str, message: str, context: dict[str, list[str]] | None = None
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "status": "error",
        "message": message,
        "correlationId": str(uuid.uuid4()),
        "category": category,
    }
    if context:
        body["context"] = context
    return body


def _rate_limit_body(*, daily: bool) -> dict[str, Any]:
    policy = "daily" if daily else "ten_secondly_rolling"
    return {
        "status": "error",
        "message": f"You have reached your {policy} limit.",
        "errorType": "RATE_LIMIT",
        "correlationId": str(uuid.uuid4()),
        "policyName": policy.upper(),
    }


def _invalid(message: str) -> HubSpotError:
    return HubSpotError(400, "VALIDATION_ERROR", message)


def _path_type(request: web.Request, key: str) -> str:
    raw = request.match_info[key]
    canonical = canonical_type(raw)
    if canonical is None:
        raise _invalid(f"Unable to infer object type from: {raw}")
    return canonical


def _inputs(request: web.Request, limit: int) -> list[Any]:
    try:
        body = read_json(request[CALL_KEY])
    except ValueError as exc:
        raise _invalid(f"Invalid input JSON: {exc}") from exc
    inputs = body.get("inputs") if isinstance(body, dict) else None
    if not isinstance(inputs, list):
        raise _invalid("Invalid input JSON: 'inputs' is required and must be an array")
    if not 1 <= len(inputs) <= limit:
        raise _invalid(f"Batch input size must be between 1 and {limit}, got {len(inputs)}")
    return inputs


def _object_id(value: Any, where: str) -> str:
    oid = value.get("id") if isinstance(value, dict) else None
    if isinstance(oid, bool) or not isinstance(oid, str | int) or str(oid) == "":
        raise _invalid(f"Invalid input JSON: {where}.id is required")
    return str(oid)


def _pairs(inputs: Iterable[Any]) -> list[tuple[str, str]]:
    pairs = []
    for index, item in enumerate(inputs):
        if not isinstance(item, dict):
            raise _invalid(f"Invalid input JSON: inputs[{index}] must be an object")
        pairs.append(
            (
                _object_id(item.get("from"), f"inputs[{index}].from"),
                _object_id(item.get("to"), f"inputs[{index}].to"),
            )
        )
    return pairs


def _check_conflicts(
    request: web.Request, state: HubSpotState, pairs: list[tuple[str, str]]
) -> None:
    """HubSpot fails a whole batch with 409 when one input conflicts."""
    forced = handler_fault(request, FaultKind.BATCH_CONFLICT) is not None
    clash = next((p for p in pairs if state.is_conflicting(*p)), None)
    if clash is None and forced and pairs:
        clash = pairs[0]
    if clash is not None:
        raise HubSpotError(
            409,
            "CONFLICT",
            f"Association between {clash[0]} and {clash[1]} conflicts with an existing "
            "association; the batch was not applied.",
            {"fromObjectId": [clash[0]], "toObjectId": [clash[1]]},
        )


def _partial(request: web.Request, size: int) -> tuple[set[int], str]:
    rule = handler_fault(request, FaultKind.PARTIAL_BATCH)
    return (rule.failing_indexes(size), rule.category) if rule else (set(), "")


def _item_error(category: str, message: str, context: dict[str, list[str]]) -> dict[str, Any]:
    return {"status": "error", "category": category, "message": message, "context": context}


def _missing_error(
    state: HubSpotState, from_type: str, to_type: str, pair: tuple[str, str]
) -> dict[str, Any] | None:
    context: dict[str, list[str]] = {}
    missing = []
    if not state.has_record(from_type, pair[0]):
        context["fromObjectId"] = [pair[0]]
        missing.append(f"{OBJECT_TYPES[from_type][1]} {pair[0]}")
    if not state.has_record(to_type, pair[1]):
        context["toObjectId"] = [pair[1]]
        missing.append(f"{OBJECT_TYPES[to_type][1]} {pair[1]}")
    if not missing:
        return None
    return _item_error("OBJECT_NOT_FOUND", f"No such object(s): {', '.join(missing)}.", context)


def _envelope(results: list[Any], errors: list[Any], started: str, ok_status: int) -> web.Response:
    body: dict[str, Any] = {"status": "COMPLETE", "results": results}
    if errors:
        body["numErrors"] = len(errors)
        body["errors"] = errors
    body["startedAt"] = started
    body["completedAt"] = now_iso()
    return json_response(body, 207 if errors else ok_status)


def _default_results(
    state: HubSpotState, from_type: str, to_type: str, pair: tuple[str, str]
) -> list[dict[str, Any]]:
    kind = state.find_type(from_type, to_type, DEFAULT_TYPE_IDS[(from_type, to_type)])
    assert kind is not None
    state.associate(from_type, pair[0], to_type, pair[1], kind.type_id)

    def spec(type_id: int) -> dict[str, Any]:
        return {"associationCategory": kind.category, "associationTypeId": type_id}

    return [
        {"from": {"id": pair[0]}, "to": {"id": pair[1]}, "associationSpec": spec(kind.type_id)},
        {"from": {"id": pair[1]}, "to": {"id": pair[0]}, "associationSpec": spec(kind.reverse_id)},
    ]


def _default_pair(from_type: str, to_type: str) -> None:
    if (from_type, to_type) not in DEFAULT_TYPE_IDS:
        raise _invalid(f"No default association type from {from_type} to {to_type}")


def _write_each(
    request: web.Request,
    state: HubSpotState,
    types: tuple[str, str],
    pairs: list[tuple[str, str]],
    create: Callable[[int, tuple[str, str]], list[dict[str, Any]]],
    ok_status: int,
) -> web.Response:
    """A batch write: refused whole on a conflict, else input by input (faulted and missing
    inputs become errors, the others are written by ``create``)."""
    _check_conflicts(request, state, pairs)
    failing, category = _partial(request, len(pairs))
    started, results, errors = now_iso(), [], []
    for index, pair in enumerate(pairs):
        if index in failing:
            context = {"fromObjectId": [pair[0]], "toObjectId": [pair[1]]}
            errors.append(_item_error(category, "Association could not be created.", context))
            continue
        missing = _missing_error(state, types[0], types[1], pair)
        if missing is not None:
            errors.append(missing)
            continue
        results += create(index, pair)
    return _envelope(results, errors, started, ok_status)


# -- handlers ---------------------------------------------------------------------------------
async def v3_batch_create(request: web.Request) -> web.StreamResponse:
    state = request.app[HUBSPOT_KEY]
    from_type, to_type = _path_type(request, "fromObjectType"), _path_type(request, "toObjectType")
    inputs = _inputs(request, state.v3_batch_limit)
    pairs = _pairs(inputs)
    type_ids = []
    for index, item in enumerate(inputs):
        name = item.get("type")
        if not isinstance(name, str):
            raise _invalid(f"Invalid input JSON: inputs[{index}].type is required")
        type_id = V3_TYPE_NAMES.get(name.lower(), int(name) if name.isdigit() else None)
        if type_id is None or state.find_type(from_type, to_type, type_id) is None:
            raise _invalid(f"{name} is not a valid association type from {from_type} to {to_type}")
        type_ids.append(type_id)

    def create(index: int, pair: tuple[str, str]) -> list[dict[str, Any]]:
        state.associate(from_type, pair[0], to_type, pair[1], type_ids[index])
        return [{"from": {"id": pair[0]}, "to": {"id": pair[1]}, "type": inputs[index]["type"]}]

    return _write_each(request, state, (from_type, to_type), pairs, create, 201)


def _specs(value: Any, where: str, state: HubSpotState, from_type: str, to_type: str) -> list[int]:
    """The type ids of a 2026-09 ``types`` list (``AssociationSpec``); v3 names are refused."""
    if not isinstance(value, list) or not value:
        raise _invalid(f"Invalid input JSON: {where} must be a non-empty array of types")
    type_ids = []
    for spec in value:
        category = spec.get("associationCategory") if isinstance(spec, dict) else None
        type_id = spec.get("associationTypeId") if isinstance(spec, dict) else None
        if (
            not isinstance(category, str)
            or isinstance(type_id, bool)
            or not isinstance(type_id, int)
        ):
            raise _invalid(
                f"Invalid input JSON: {where} takes associationCategory and associationTypeId, "
                f"got {spec!r}"
            )
        kind = state.find_type(from_type, to_type, type_id)
        if kind is None or kind.category != category:
            raise _invalid(
                f"{category} {type_id} is not a valid association type "
                f"from {from_type} to {to_type}"
            )
        type_ids.append(type_id)
    return type_ids


def _labels_between(
    state: HubSpotState, from_type: str, to_type: str, pair: tuple[str, str], type_ids: list[int]
) -> dict[str, Any]:
    """``LabelsBetweenObjectPair``, after storing the association of each type."""
    labels = []
    for type_id in type_ids:
        state.associate(from_type, pair[0], to_type, pair[1], type_id)
        kind = state.find_type(from_type, to_type, type_id)
        if kind is not None and kind.label is not None:
            labels.append(kind.label)
    return {
        "fromObjectTypeId": OBJECT_TYPES[from_type][0],
        "fromObjectId": pair[0],
        "toObjectTypeId": OBJECT_TYPES[to_type][0],
        "toObjectId": pair[1],
        "labels": labels,
    }


async def dated_batch_create(request: web.Request) -> web.StreamResponse:
    """2026-09 batch create: ``types`` per input; the v3 ``type`` names are refused."""
    state = request.app[HUBSPOT_KEY]
    from_type, to_type = _path_type(request, "fromObjectType"), _path_type(request, "toObjectType")
    inputs = _inputs(request, state.dated_create_batch_limit)
    pairs = _pairs(inputs)
    type_ids = [
        _specs(item.get("types"), f"inputs[{index}].types", state, from_type, to_type)
        for index, item in enumerate(inputs)
    ]

    def create(index: int, pair: tuple[str, str]) -> list[dict[str, Any]]:
        return [_labels_between(state, from_type, to_type, pair, type_ids[index])]

    return _write_each(request, state, (from_type, to_type), pairs, create, 200)


async def put_labelled(request: web.Request) -> web.StreamResponse:
    """PUT a labelled association (v4 and 2026-09): a body of ``AssociationSpec``s -> 201."""
    state = request.app[HUBSPOT_KEY]
    from_type, to_type = _path_type(request, "objectType"), _path_type(request, "toObjectType")
    pair = (request.match_info["objectId"], request.match_info["toObjectId"])
    try:
        body = read_json(request[CALL_KEY])
    except ValueError as exc:
        raise _invalid(f"Invalid input JSON: {exc}") from exc
    type_ids = _specs(body, "the body", state, from_type, to_type)
    missing = _missing_error(state, from_type, to_type, pair)
    if missing is not None:
        raise HubSpotError(404, "OBJECT_NOT_FOUND", missing["message"], missing["context"])
    _check_conflicts(request, state, [pair])
    return json_response(_labels_between(state, from_type, to_type, pair, type_ids), 201)


async def v4_put_default(request: web.Request) -> web.StreamResponse:
    state = request.app[HUBSPOT_KEY]
    from_type, to_type = _path_type(request, "fromObjectType"), _path_type(request, "toObjectType")
    _default_pair(from_type, to_type)
    pair = (request.match_info["fromObjectId"], request.match_info["toObjectId"])
    for object_type, object_id, key in (
        (from_type, pair[0], "fromObjectId"),
        (to_type, pair[1], "toObjectId"),
    ):
        if not state.has_record(object_type, object_id):
            singular = OBJECT_TYPES[object_type][1]
            raise HubSpotError(
                404,
                "OBJECT_NOT_FOUND",
                f"No {singular} with ID {object_id} exists.",
                {key: [object_id]},
            )
    _check_conflicts(request, state, [pair])
    started = now_iso()
    results = _default_results(state, from_type, to_type, pair)
    return _envelope(results, [], started, 200)


async def v4_batch_associate_default(request: web.Request) -> web.StreamResponse:
    state = request.app[HUBSPOT_KEY]
    from_type, to_type = _path_type(request, "fromObjectType"), _path_type(request, "toObjectType")
    _default_pair(from_type, to_type)
    pairs = _pairs(_inputs(request, state.v4_default_batch_limit))

    def create(index: int, pair: tuple[str, str]) -> list[dict[str, Any]]:
        return _default_results(state, from_type, to_type, pair)

    return _write_each(request, state, (from_type, to_type), pairs, create, 200)


def _sort_key(object_id: str) -> tuple[int, int, str]:
    return (0, int(object_id), "") if object_id.isdigit() else (1, 0, object_id)


def _wire_id(object_id: str) -> int | str:
    # HubSpot sends toObjectId as a JSON number.
    return int(object_id) if object_id.isdigit() else object_id


def _cursor(to_type: str, last_id: str) -> str:
    return base64.b64encode(f"{OBJECT_TYPES[to_type][0]}-{last_id}".encode()).decode()


def _after_key(after: Any) -> tuple[int, int, str] | None:
    if after is None:
        return None
    try:
        decoded = base64.b64decode(str(after).replace("%3D", "="), validate=True).decode()
    except (binascii.Error, UnicodeDecodeError) as exc:
        raise _invalid(f"Invalid paging cursor: {after}") from exc
    return _sort_key(decoded.rpartition("-")[2])


async def v4_batch_read(request: web.Request) -> web.StreamResponse:
    state = request.app[HUBSPOT_KEY]
    from_type, to_type = _path_type(request, "fromObjectType"), _path_type(request, "toObjectType")
    inputs = _inputs(request, state.read_batch_limit)
    failing, category = _partial(request, len(inputs))
    kinds = {kind.type_id: kind for kind in state.association_types(from_type, to_type)}
    started, results, errors = now_iso(), [], []
    for index, item in enumerate(inputs):
        from_id = _object_id(item, f"inputs[{index}]")
        after = _after_key(item.get("after"))
        if index in failing:
            errors.append(
                _item_error(category, "Could not read associations.", {"fromObjectId": [from_id]})
            )
            continue
        found = state.associated(from_type, from_id, to_type)
        to_ids = sorted(found, key=_sort_key)
        if after is not None:
            to_ids = [i for i in to_ids if _sort_key(i) > after]
        if not found:
            from_name, to_name = OBJECT_TYPES[from_type][1], OBJECT_TYPES[to_type][1]
            error = _item_error(
                "OBJECT_NOT_FOUND",
                f"No {to_name} is associated with {from_name} {from_id}.",
                {
                    "fromObjectId": [from_id],
                    "fromObjectType": [from_name],
                    "toObjectType": [to_name],
                },
            )
            error["subCategory"] = "crm.associations.NO_ASSOCIATIONS_FOUND"
            errors.append(error)
            continue
        page = to_ids[: state.read_page_size]
        result: dict[str, Any] = {
            "from": {"id": from_id},
            "to": [
                {
                    "toObjectId": _wire_id(to_id),
                    "associationTypes": [
                        kinds[type_id].wire() for type_id in found[to_id] if type_id in kinds
                    ],
                }
                for to_id in page
            ],
        }
        if len(to_ids) > len(page):
            result["paging"] = {"next": {"after": _cursor(to_type, page[-1])}}
        results.append(result)
    return _envelope(results, errors, started, 200)


async def v3_objects_batch_read(request: web.Request) -> web.StreamResponse:
    """Records by id, 100 a call. Unknown ids share one 207 error listing them in
    ``context.ids``, as HubSpot answers ("Could not get some CONTACT objects, ...")."""
    state = request.app[HUBSPOT_KEY]
    object_type = _path_type(request, "objectType")
    inputs = _inputs(request, state.object_read_batch_limit)
    started, results, missing = now_iso(), [], []
    for index, item in enumerate(inputs):
        object_id = _object_id(item, f"inputs[{index}]")
        if not state.has_record(object_type, object_id):
            missing.append(object_id)
            continue
        results.append(
            {
                "id": object_id,
                "properties": {"hs_object_id": object_id},
                "createdAt": started,
                "updatedAt": started,
                "archived": False,
            }
        )
    errors = []
    if missing:
        name = OBJECT_TYPES[object_type][1].upper()
        errors.append(
            _item_error(
                "OBJECT_NOT_FOUND",
                f"Could not get some {name} objects, they may be deleted or not exist. "
                "Check that ids are valid.",
                {"ids": missing},
            )
        )
    return _envelope(results, errors, started, 200)


async def v4_labels(request: web.Request) -> web.StreamResponse:
    state = request.app[HUBSPOT_KEY]
    from_type, to_type = _path_type(request, "fromObjectType"), _path_type(request, "toObjectType")
    return json_response(
        {"results": [t.wire() for t in state.association_types(from_type, to_type)]}
    )


# https://developers.hubspot.com/docs/api/oauth/refresh-access-token
TOKEN_PATH = "/oauth/v1/token"
_TOKEN_REFUSALS = {
    Refusal.BAD_REQUEST: ("BAD_GRANT_TYPE", "missing or unknown grant type"),
    Refusal.BAD_CLIENT: ("BAD_CLIENT_ID", "missing or unknown client id"),
    Refusal.BAD_GRANT: ("BAD_REFRESH_TOKEN", "missing or unknown refresh token"),
}


async def oauth_token(request: web.Request) -> web.StreamResponse:
    state = request.app[HUBSPOT_KEY]
    issued = await state.oauth.exchange(state, request)
    if isinstance(issued, Refusal):
        status, message = _TOKEN_REFUSALS[issued]
        body = {"status": status, "message": message, "correlationId": str(uuid.uuid4())}
        return json_response(body, 400)
    return json_response(
        {
            "token_type": "bearer",
            "refresh_token": issued.refresh_token,
            "access_token": issued.access_token,
            "expires_in": issued.expires_in,
        }
    )


# -- app --------------------------------------------------------------------------------------
HUBSPOT_KEY = web.AppKey("hubspot_state", HubSpotState)


def _bearer(request: web.Request) -> str | None:
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" else None


@web.middleware
async def _gate(request: web.Request, handler: Handler) -> web.StreamResponse:
    state = request.app[HUBSPOT_KEY]
    response: web.StreamResponse
    if request.path == TOKEN_PATH:  # the OAuth endpoint takes no bearer token
        return await handler(request)
    if not state.accepts(_bearer(request)):
        response = HubSpotError(401, "INVALID_AUTHENTICATION", AUTH_MESSAGE).response()
    elif (
        state.rate_limit_enabled
        and (verdict := state.window.acquire(state.clock(), burst_exempt=_burst_exempt(request)))
        is not LimitVerdict.OK
    ):
        body = _rate_limit_body(daily=verdict is LimitVerdict.DAILY)
        response = json_response(body, 429, {"X-HubSpot-Correlation-Id": body["correlationId"]})
        if state.send_retry_after and verdict is LimitVerdict.BURST:
            wait = state.window.retry_after(state.clock())
            response.headers["Retry-After"] = str(math.ceil(wait))
    else:
        try:
            response = await handler(request)
        except HubSpotError as exc:
            response = exc.response()
    response.headers.update(state.limit_headers(request))
    return response


class Route(NamedTuple):
    method: str
    path: str
    handler: Handler
    ten_secondly_exempt: bool  # the spec's x-hubspot-rate-limit-exemptions: ["ten-secondly"]


# The specs' own path templates (and parameter names).
_V4 = "/crm/v4/associations/{fromObjectType}/{toObjectType}"
_DATED = "/crm/associations/2026-09/{fromObjectType}/{toObjectType}"
_PUT_DEFAULT = "/{fromObjectType}/{fromObjectId}/associations/default/{toObjectType}/{toObjectId}"
_PUT_LABELLED = "/{objectType}/{objectId}/associations/{toObjectType}/{toObjectId}"
ROUTES: tuple[Route, ...] = (
    # legacy: v3 batch create, v4 everything else
    Route(
        "POST",
        "/crm/v3/associations/{fromObjectType}/{toObjectType}/batch/create",
        v3_batch_create,
        True,
    ),
    Route("PUT", "/crm/v4/objects" + _PUT_DEFAULT, v4_put_default, False),
    Route("PUT", "/crm/v4/objects" + _PUT_LABELLED, put_labelled, False),
    Route("POST", _V4 + "/batch/associate/default", v4_batch_associate_default, True),
    Route("POST", _V4 + "/batch/read", v4_batch_read, True),
    Route("GET", _V4 + "/labels", v4_labels, False),
    # 2026-09
    Route("POST", _DATED + "/batch/create", dated_batch_create, True),
    Route("PUT", "/crm/objects/2026-09" + _PUT_DEFAULT, v4_put_default, False),
    Route("PUT", "/crm/objects/2026-09" + _PUT_LABELLED, put_labelled, False),
    Route("POST", _DATED + "/batch/associate/default", v4_batch_associate_default, True),
    Route("POST", _DATED + "/batch/read", v4_batch_read, True),
    Route("GET", _DATED + "/labels", v4_labels, True),
    # which records exist (objects batch read)
    Route("POST", "/crm/v3/objects/{objectType}/batch/read", v3_objects_batch_read, False),
    Route("POST", "/crm/objects/2026-09/{objectType}/batch/read", v3_objects_batch_read, False),
)
_EXEMPT = {(r.method, r.path) for r in ROUTES if r.ten_secondly_exempt}
_EXEMPT_PATHS = [
    (r.method, re.compile("^" + re.sub(r"\{[^}]+\}", "[^/]+", r.path) + "$"))
    for r in ROUTES
    if r.ten_secondly_exempt
]


def _burst_exempt(request: web.Request) -> bool:
    resource = request.match_info.route.resource
    return resource is not None and (request.method, resource.canonical) in _EXEMPT


def burst_exempt(method: str, path: str) -> bool:
    """Whether HubSpot leaves a call out of its ten-second window (for tests that replay the
    calls an emulator recorded through a ``RateWindow``)."""
    return any(m == method and pattern.match(path) for m, pattern in _EXEMPT_PATHS)


def create_app(state: HubSpotState | None = None) -> web.Application:
    state = state if state is not None else HubSpotState()
    app = build_app(state, _gate)
    app[HUBSPOT_KEY] = state
    for route in ROUTES:
        app.router.add_route(route.method, route.path, route.handler)
    app.router.add_post(TOKEN_PATH, oauth_token)
    return app


async def serve(
    state: HubSpotState | None = None, host: str = "127.0.0.1", port: int = 0
) -> RunningEmulator[HubSpotState]:
    state = state if state is not None else HubSpotState()
    return await serve_app(create_app(state), state, host, port)
