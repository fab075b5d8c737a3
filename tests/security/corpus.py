"""A corpus of hostile or malformed requests, as data, with the answer each must get.

Every case is one HTTP request (method, path, headers, query string, and a raw or JSON body)
and its expected outcome: the HTTP status and the set of ``extensions.code`` values the errors
carry. ``tests/security/test_bad_input.py`` sends each one to the real app and also checks that
the answer is JSON, has no trace, and that no CRM emulator was called.

Integration ids exist only once the test has registered them, so bodies and query strings
carry placeholders (``HUBSPOT``, ``SALESFORCE``, ...) that ``materialize`` replaces.

A case with ``xfail`` set documents a bug found elsewhere in the code base; the reason names it
and the fix. The test marks those ``xfail(strict=True)``, so fixing the bug makes it fail until
the mark is removed.
"""

from __future__ import annotations

import copy
import gzip
import json
import zlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from emulators import sandbox_data as demo
from tests.harness import KEYS

# --- placeholders, replaced by ids the test registers ---------------------------------------

HUBSPOT = "@@HUBSPOT@@"
SALESFORCE = "@@SALESFORCE@@"
LEADCONNECTOR = "@@LEADCONNECTOR@@"
OTHER_TENANT = "@@OTHER_TENANT@@"  # globex's HubSpot integration, asked for by acme
DELETED = "@@DELETED@@"  # an integration that was deleted
DISABLED = "@@DISABLED@@"  # acme's HubSpot integration with isEnabled: false
PLACEHOLDERS = (HUBSPOT, SALESFORCE, LEADCONNECTOR, OTHER_TENANT, DELETED, DISABLED)

# --- codes -----------------------------------------------------------------------------------

BAD_USER_INPUT = "BAD_USER_INPUT"
NOT_FOUND = "NOT_FOUND"
UNAUTHENTICATED = "UNAUTHENTICATED"
INTEGRATION_DISABLED = "INTEGRATION_DISABLED"
PARSE_FAILED = "GRAPHQL_PARSE_FAILED"
VALIDATION_FAILED = "GRAPHQL_VALIDATION_FAILED"
BAD_REQUEST = "BAD_REQUEST"
BATCH_TOO_LARGE = "BATCH_TOO_LARGE"
PAYLOAD_TOO_LARGE = "PAYLOAD_TOO_LARGE"
METHOD_NOT_ALLOWED = "METHOD_NOT_ALLOWED"
UNSUPPORTED_MEDIA_TYPE = "UNSUPPORTED_MEDIA_TYPE"

# --- categories ------------------------------------------------------------------------------

# The list, each a category of the corpus.
REQUIRED_CATEGORIES = {
    "wrong-types": "arguments and variables of the wrong GraphQL type",
    "bad-ids": "every mutation x every bad id shape (integration and record ids)",
    "unknown-enums": "enum values the schema does not have, literal and in variables",
    "empty-batches": "an empty batch array, empty inputs and association lists",
    "oversized-batches": "inputs and association lists over the configured maximum",
    "malformed-json": "bodies that are not JSON, or JSON of the wrong shape",
    "huge-strings": "megabyte strings in names, ids, URLs, tokens and operation names",
    "deep-nesting": "deeply nested selections, literals, JSON bodies and variables",
    "alias-bombs": "more aliases than the limit, including of mutations",
    "oversized-documents": "bodies over client_max_size, token bombs, compression bombs",
    "unknown-operations": "operationName naming nothing, documents without an operation",
    "batch-over-cap": "batch arrays with more operations than max_operations",
    "get-mutations": "every mutation over GET, and methods GraphQL does not take",
}
# Beyond the list.
EXTRA_CATEGORIES = {
    "content-types": "bodies that are not application/json",
    "auth": "hostile requests without a valid API key: 401 before anything else",
    "routing": "paths and methods the app does not serve",
}
CATEGORIES = {**REQUIRED_CATEGORIES, **EXTRA_CATEGORIES}

AUTH = {"Authorization": f"Bearer {KEYS['acme']}"}
JSON_TYPE = {"Content-Type": "application/json"}
NO_BODY = object()

MAX_BODY_BYTES = 2 * 1024 * 1024  # Settings.max_body_bytes default
MAX_OPERATIONS = 50  # Settings.max_operations_per_request default
MAX_BATCH_INPUTS = 10_000  # Settings.max_batch_inputs default
MAX_ALIASES = 200  # Settings.max_aliases default
MAX_MUTATION_ALIASES = 30  # Settings.max_mutation_aliases default
MAX_TOKENS = 8_000  # Settings.max_tokens default
MAX_DEPTH = 12
MEGABYTE = 1024 * 1024

# Bugs found by the corpus (see the report in the test module's docstring).
PROTOCOL_ERROR = (
    "limitation: aiohttp's HTTP parser refuses this before any middleware runs and answers "
    "plain text without a code; fix at the edge (reverse proxy) or by subclassing "
    "aiohttp.web_protocol.RequestHandler.handle_error"
)


@dataclass(frozen=True)
class Case:
    name: str
    category: str
    status: int
    codes: frozenset[str]
    method: str = "POST"
    path: str = "/graphql"
    headers: Mapping[str, str] = field(default_factory=lambda: dict(AUTH))
    params: Mapping[str, str] | None = None  # the query string
    json: Any = NO_BODY  # a JSON body (sent as application/json)
    body: bytes | None = None  # a raw body, sent as it is
    xfail: str | None = None  # a known bug: why this case fails, and the fix
    max_seconds: float = 5.0  # the answer must come within this (a DoS otherwise)

    def __post_init__(self) -> None:
        assert self.category in CATEGORIES, self.category
        assert self.json is NO_BODY or self.body is None, self.name

    def materialize(self, ids: Mapping[str, str]) -> tuple[dict[str, str], bytes | None]:
        """Headers and body bytes with the placeholders replaced by registered ids."""
        headers = dict(self.headers)
        body = self.body
        if self.json is not NO_BODY:
            body = json.dumps(self.json).encode()
            headers.setdefault("Content-Type", "application/json")
        if body is not None:
            for token, value in ids.items():
                body = body.replace(token.encode(), value.encode())
        return headers, body

    def query_string(self, ids: Mapping[str, str]) -> dict[str, str] | None:
        if self.params is None:
            return None
        out = {}
        for key, value in self.params.items():
            for token, real in ids.items():
                value = value.replace(token, real)
            out[key] = value
        return out


def codes(*values: str) -> frozenset[str]:
    return frozenset(values)


def gql(
    name: str,
    category: str,
    query: str,
    variables: Mapping[str, Any] | None = None,
    *,
    expect: Iterable[str],
    status: int = 200,
    operation_name: str | None = None,
    coerced: bool = False,
    **kw: Any,
) -> Case:
    """One GraphQL operation POSTed as JSON.

    ``coerced``: GraphQL's variable coercion refuses it, before any resolver runs.
    """
    if coerced and "xfail" not in kw:
        kw["xfail"] = None
    body: dict[str, Any] = {"query": query}
    if variables is not None:
        body["variables"] = dict(variables)
    if operation_name is not None:
        body["operationName"] = operation_name
    return Case(name, category, status, frozenset(expect), json=body, **kw)


def raw(
    name: str,
    category: str,
    body: bytes,
    *,
    expect: Iterable[str],
    status: int = 400,
    content_type: str | None = "application/json",
    headers: Mapping[str, str] | None = None,
    **kw: Any,
) -> Case:
    all_headers = dict(AUTH)
    if content_type is not None:
        all_headers["Content-Type"] = content_type
    all_headers.update(headers or {})
    return Case(name, category, status, frozenset(expect), headers=all_headers, body=body, **kw)


def get(
    name: str, category: str, params: Mapping[str, str], *, expect: Iterable[str], status: int
) -> Case:
    return Case(name, category, status, frozenset(expect), method="GET", params=dict(params))


def with_(variables: Mapping[str, Any], path: tuple[str | int, ...], value: Any) -> dict[str, Any]:
    """A deep copy of ``variables`` with the value at ``path`` replaced."""
    out = copy.deepcopy(dict(variables))
    target: Any = out
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return out


def without(variables: Mapping[str, Any], path: tuple[str | int, ...]) -> dict[str, Any]:
    out = copy.deepcopy(dict(variables))
    target: Any = out
    for key in path[:-1]:
        target = target[key]
    del target[path[-1]]
    return out


# --- the operations, each with arguments that would succeed (never sent as they are) -------

ACME, GLOBEX = demo.SF_ACCOUNT_IDS
ADA, GRACE, LINUS = demo.SF_CONTACT_IDS


def pair(from_id: str = "1", to_id: str = "1001") -> dict[str, Any]:
    return {"from": {"id": from_id}, "to": {"id": to_id}, "type": "contact_to_company"}


DEFAULT = """mutation($id: ID!, $from: ID!, $to: ID!, $fromType: String!, $toType: String!) {
  createDefaultAssociation(integrationId: $id, fromObjectType: $fromType, fromObjectId: $from,
                           toObjectType: $toType, toObjectId: $to) { status numErrors }
}"""
DEFAULT_VARS = {
    "id": HUBSPOT,
    "from": "1",
    "to": "1001",
    "fromType": "contacts",
    "toType": "companies",
}

BATCH = """mutation($id: ID!, $fromType: String!, $toType: String!, $inputs: [AssociationInput!]!) {
  batchCreateAssociations(integrationId: $id, fromObjectType: $fromType, toObjectType: $toType,
                          inputs: $inputs) {
    status numErrors errors { message category inputIndex }
  }
}"""
BATCH_VARS = {"id": HUBSPOT, "fromType": "contacts", "toType": "companies", "inputs": [pair()]}

ASSOCIATE = """mutation($id: ID!, $input: UnifiedAssociationInput!, $options: UnifiedRequestOptions) {
  createAssociation(integrationId: $id, input: $input, options: $options) {
    entityId errors { id code }
  }
}"""
ASSOCIATE_VARS = {
    "id": SALESFORCE,
    "input": {
        "entityId": ACME,
        "entity": "ACCOUNTS",
        "associations": {"contacts": [{"id": GRACE}]},
    },
}

RELATE = """mutation($id: ID!, $input: CreateRelationInput!) {
  createRelation(integrationId: $id, input: $input) { id }
}"""
RELATE_VARS = {
    "id": LEADCONNECTOR,
    "input": {
        "locationId": demo.GHL_LOCATION_ID,
        "associationId": demo.GHL_ASSOCIATION_ID,
        "firstRecordId": demo.GHL_CHILD_IDS[1],
        "secondRecordId": demo.GHL_CONTACT_IDS[1],
    },
}

UPDATE = """mutation($id: ID!, $input: UpdateCrmIntegrationInput!) {
  updateCrmIntegration(id: $id, input: $input) { id }
}"""
UPDATE_VARS = {"id": HUBSPOT, "input": {"name": "renamed"}}

DELETE = "mutation($id: ID!) { deleteCrmIntegration(id: $id) }"
DELETE_VARS = {"id": HUBSPOT}

CREATE = (
    "mutation($input: CreateCrmIntegrationInput!) { createCrmIntegration(input: $input) { id } }"
)
CREATE_VARS = {
    "input": {"provider": "HUBSPOT", "name": "n", "credentials": {"accessToken": "hs-test-token"}}
}

# mutation name -> (document, good variables, path of its integration id, provider placeholder)
ASSOCIATION_MUTATIONS: dict[str, tuple[str, dict[str, Any], str]] = {
    "createDefaultAssociation": (DEFAULT, DEFAULT_VARS, HUBSPOT),
    "batchCreateAssociations": (BATCH, BATCH_VARS, HUBSPOT),
    "createAssociation": (ASSOCIATE, ASSOCIATE_VARS, SALESFORCE),
    "createRelation": (RELATE, RELATE_VARS, LEADCONNECTOR),
}
ID_MUTATIONS: dict[str, tuple[str, dict[str, Any]]] = {
    **{name: (doc, vars_) for name, (doc, vars_, _) in ASSOCIATION_MUTATIONS.items()},
    "updateCrmIntegration": (UPDATE, UPDATE_VARS),
    "deleteCrmIntegration": (DELETE, DELETE_VARS),
}
ALL_MUTATIONS: dict[str, tuple[str, dict[str, Any]]] = {
    **ID_MUTATIONS,
    "createCrmIntegration": (CREATE, CREATE_VARS),
}

# --- bad id shapes ---------------------------------------------------------------------------

# Integration ids that name no integration of the caller's.
MISSING_INTEGRATION_IDS: dict[str, Any] = {
    "empty": "",
    "blank": "   ",
    "word": "nope",
    "zero": "0",
    "negative": "-1",
    "null-word": "null",
    "json-int": 12345,
    "nil-uuid": "00000000-0000-0000-0000-000000000000",
    "unknown-uuid": "3f2b8c1e-0000-4000-8000-00000000beef",
    "uuid-and-newline": f"{HUBSPOT}\n",
    "uuid-and-garbage": f"{HUBSPOT}x",
    "sql-injection": "' OR '1'='1",
    "path-traversal": "../../etc/passwd",
    "percent-encoded": "%2e%2e%2f",
    "nul": "\u0000",
    "emoji": "\U0001f600",
    "rtl-override": "\u202e1",
    "long-digits": "9" * 300,
    "other-tenant": OTHER_TENANT,
    "deleted": DELETED,
}
HUBSPOT_RECORD_IDS = {
    "empty": "",
    "blank": " ",
    "letters": "abc",
    "negative": "-1",
    "decimal": "1.5",
    "exponent": "1e3",
    "hex": "0x1F",
    "sql-injection": "1 OR 1=1",
    "path-traversal": "../1",
    "slash": "1/2",
    "query": "1?a=b",
    "percent-encoded": "%31",
    "fullwidth-digits": "\uff11\uff12\uff13",
    "arabic-digits": "\u0661\u0662",
    "21-digits": "1" * 21,
    "leading-space": " 1",
    "nul": "1\u0000",
    "trailing-newline": "1\n",
}
HUBSPOT_OBJECT_TYPES = {
    "empty": "",
    "traversal": "contacts/../deals",
    "space": "con tacts",
    "65-chars": "x" * 65,
    "query": "contacts?archived=true",
    "percent-encoded": "%2e%2e",
    "trailing-newline": "contacts\n",
}
HUBSPOT_ASSOCIATION_TYPES = {
    "punctuation": "bad type!",
    "empty": "",
    "upper-case": "Contact_To_Company",
    "101-chars": "a" * 101,
    "trailing-newline": "contact_to_company\n",
}
SALESFORCE_IDS = {
    "empty": "",
    "letters": "abc",
    "17-chars": ACME[:17],
    "19-chars": ACME + "A",
    "quote": ACME[:17] + "'",
    "soql-injection": "' OR Id != '",
    "space": ACME[:3] + " " + ACME[4:],
    "dash": ACME[:17] + "-",
    "trailing-newline": ACME + "\n",
}
LEADCONNECTOR_IDS = {
    "empty": "",
    "space": "has space",
    "slash": "a/b",
    "65-chars": "x" * 65,
    "umlaut": "\u00fc",
    "percent": "a%2Fb",
    "nul": "a\u0000",
    "semicolon": "a;b",
    "trailing-newline": "demo-child-2\n",
}


def bad_id_cases() -> list[Case]:
    cases: list[Case] = []
    for mutation, (doc, good) in ID_MUTATIONS.items():
        for shape, value in MISSING_INTEGRATION_IDS.items():
            cases.append(
                gql(
                    f"{mutation}/integrationId/{shape}",
                    "bad-ids",
                    doc,
                    with_(good, ("id",), value),
                    expect={NOT_FOUND},
                )
            )
    for mutation, (doc, good, provider) in ASSOCIATION_MUTATIONS.items():
        cases.append(
            gql(
                f"{mutation}/integrationId/disabled",
                "bad-ids",
                doc,
                with_(good, ("id",), DISABLED),
                expect={INTEGRATION_DISABLED},
            )
        )
        # Every mutation works on every CRM; one CRM's ids are refused by another's rules.
        other = HUBSPOT if provider != HUBSPOT else SALESFORCE
        cases.append(
            gql(
                f"{mutation}/integrationId/another-providers-ids",
                "bad-ids",
                doc,
                with_(good, ("id",), other),
                expect={BAD_USER_INPUT},
            )
        )
    slots: list[tuple[str, str, dict[str, Any], tuple[str | int, ...], dict[str, str]]] = [
        ("createDefaultAssociation", DEFAULT, DEFAULT_VARS, ("from",), HUBSPOT_RECORD_IDS),
        ("createDefaultAssociation", DEFAULT, DEFAULT_VARS, ("to",), HUBSPOT_RECORD_IDS),
        (
            "batchCreateAssociations",
            BATCH,
            BATCH_VARS,
            ("inputs", 0, "from", "id"),
            HUBSPOT_RECORD_IDS,
        ),
        (
            "batchCreateAssociations",
            BATCH,
            BATCH_VARS,
            ("inputs", 0, "to", "id"),
            HUBSPOT_RECORD_IDS,
        ),
        ("createDefaultAssociation", DEFAULT, DEFAULT_VARS, ("fromType",), HUBSPOT_OBJECT_TYPES),
        ("batchCreateAssociations", BATCH, BATCH_VARS, ("toType",), HUBSPOT_OBJECT_TYPES),
        (
            "batchCreateAssociations",
            BATCH,
            BATCH_VARS,
            ("inputs", 0, "type"),
            HUBSPOT_ASSOCIATION_TYPES,
        ),
        ("createAssociation", ASSOCIATE, ASSOCIATE_VARS, ("input", "entityId"), SALESFORCE_IDS),
        (
            "createAssociation",
            ASSOCIATE,
            ASSOCIATE_VARS,
            ("input", "associations", "contacts", 0, "id"),
            SALESFORCE_IDS,
        ),
        *[
            ("createRelation", RELATE, RELATE_VARS, ("input", slot), LEADCONNECTOR_IDS)
            for slot in ("locationId", "associationId", "firstRecordId", "secondRecordId")
        ],
    ]
    # Every mutation works on every CRM: each CRM's own id rules guard each of its cells.
    contact, business = demo.GHL_CONTACT_IDS[0], demo.GHL_BUSINESS_IDS[0]
    sf_default = {"id": SALESFORCE, "fromType": "contacts", "toType": "accounts"}
    ghl_default = {"id": LEADCONNECTOR, "fromType": "contact", "toType": "business"}
    slots += [
        (
            "createDefaultAssociation@SF",
            DEFAULT,
            {**sf_default, "from": GRACE, "to": ACME},
            ("from",),
            SALESFORCE_IDS,
        ),
        (
            "createDefaultAssociation@GHL",
            DEFAULT,
            {**ghl_default, "from": contact, "to": business},
            ("to",),
            LEADCONNECTOR_IDS,
        ),
        (
            "batchCreateAssociations@SF",
            BATCH,
            {
                **sf_default,
                "inputs": [{"from": {"id": GRACE}, "to": {"id": ACME}, "type": "default"}],
            },
            ("inputs", 0, "from", "id"),
            SALESFORCE_IDS,
        ),
        (
            "batchCreateAssociations@GHL",
            BATCH,
            {
                **ghl_default,
                "inputs": [
                    {
                        "from": {"id": contact},
                        "to": {"id": business},
                        "type": demo.GHL_CONTACT_BUSINESS_ASSOCIATION_ID,
                    }
                ],
            },
            ("inputs", 0, "to", "id"),
            LEADCONNECTOR_IDS,
        ),
        (
            "createAssociation@HS",
            ASSOCIATE,
            with_(ASSOCIATE_VARS, ("id",), HUBSPOT),
            ("input", "entityId"),
            HUBSPOT_RECORD_IDS,
        ),
        (
            "createAssociation@GHL",
            ASSOCIATE,
            with_(with_(ASSOCIATE_VARS, ("id",), LEADCONNECTOR), ("input", "entityId"), business),
            ("input", "associations", "contacts", 0, "id"),
            LEADCONNECTOR_IDS,
        ),
        (
            "createRelation@HS",
            RELATE,
            {
                "id": HUBSPOT,
                "input": {
                    "associationId": "contacts/companies/HUBSPOT_DEFINED/279",
                    "firstRecordId": "1",
                    "secondRecordId": "1001",
                },
            },
            ("input", "firstRecordId"),
            HUBSPOT_RECORD_IDS,
        ),
        (
            "createRelation@SF",
            RELATE,
            {
                "id": SALESFORCE,
                "input": {
                    "associationId": "OpportunityContactRole",
                    "firstRecordId": demo.SF_OPPORTUNITY_ID,
                    "secondRecordId": GRACE,
                },
            },
            ("input", "secondRecordId"),
            SALESFORCE_IDS,
        ),
    ]
    for mutation, doc, good, path, shapes in slots:
        where = ".".join(str(p) for p in path)
        for shape, value in shapes.items():
            cases.append(
                gql(
                    f"{mutation}/{where}/{shape}",
                    "bad-ids",
                    doc,
                    with_(good, path, value),
                    expect={BAD_USER_INPUT},
                )
            )
    return cases


# --- the read side: queries that read from the CRM once their input passes -----------------

RECORD = """query($id: ID!, $type: String!, $record: ID!, $to: String!) {
  crmRecord(integrationId: $id, objectType: $type, id: $record) {
    id associations(toObjectType: $to, first: 5) { totalCount edges { node { id } } }
  }
}"""
RECORD_VARS = {"id": HUBSPOT, "type": "contacts", "record": "1", "to": "companies"}
SF_RECORD_VARS = {"id": SALESFORCE, "type": "accounts", "record": ACME, "to": "contacts"}
GHL_RECORD_VARS = {
    "id": LEADCONNECTOR,
    "type": "contact",
    "record": demo.GHL_CONTACT_IDS[0],
    "to": "custom_objects.children",
}
RECORDS = """query($id: ID!, $type: String!, $ids: [ID!]!, $to: String!) {
  crmRecords(integrationId: $id, objectType: $type, ids: $ids) {
    id associations(toObjectType: $to, first: 5) { totalCount }
  }
}"""
RECORDS_VARS = {"id": HUBSPOT, "type": "contacts", "ids": ["1"], "to": "companies"}
LABELS = """query($id: ID!, $from: String!, $to: String!) {
  associationLabels(integrationId: $id, fromObjectType: $from, toObjectType: $to) { label }
}"""
LABELS_VARS = {"id": HUBSPOT, "from": "contacts", "to": "companies"}
PAGE = f"""query($after: String, $first: Int) {{
  crmRecord(integrationId: "{HUBSPOT}", objectType: "contacts", id: "1") {{
    associations(toObjectType: "companies", first: $first, after: $after) {{ totalCount }}
  }}
}}"""
ENTITIES = """query($r: [_Any!]!) {
  _entities(representations: $r) { ... on CrmRecord { id associations(toObjectType: "companies") { totalCount } } }
}"""


def read_side_cases() -> list[Case]:
    cat = "bad-ids"
    cases: list[Case] = []
    for query, good, name in (
        (RECORD, RECORD_VARS, "crmRecord"),
        (LABELS, LABELS_VARS, "associationLabels"),
    ):
        for shape, value in MISSING_INTEGRATION_IDS.items():
            cases.append(
                gql(
                    f"{name}/integrationId/{shape}",
                    cat,
                    query,
                    with_(good, ("id",), value),
                    expect={NOT_FOUND},
                )
            )
        cases.append(
            gql(
                f"{name}/integrationId/disabled",
                cat,
                query,
                with_(good, ("id",), DISABLED),
                expect={INTEGRATION_DISABLED},
            )
        )
    slots = [
        ("crmRecord/hubspot", RECORD_VARS, ("record",), HUBSPOT_RECORD_IDS),
        ("crmRecord/hubspot", RECORD_VARS, ("to",), HUBSPOT_OBJECT_TYPES),
        ("crmRecord/salesforce", SF_RECORD_VARS, ("record",), SALESFORCE_IDS),
        ("crmRecord/leadconnector", GHL_RECORD_VARS, ("record",), LEADCONNECTOR_IDS),
        ("associationLabels/hubspot", LABELS_VARS, ("from",), HUBSPOT_OBJECT_TYPES),
    ]
    for prefix, good, path, shapes in slots:
        query = LABELS if prefix.startswith("associationLabels") else RECORD
        for shape, value in shapes.items():
            cases.append(
                gql(
                    f"{prefix}/{path[0]}/{shape}",
                    cat,
                    query,
                    with_(good, path, value),
                    expect={BAD_USER_INPUT},
                )
            )
    for label, value in [
        ("unknown", "widgets"),
        ("empty", ""),
        ("sobject-injection", "Account WHERE"),
    ]:
        cases.append(
            gql(
                f"crmRecord/salesforce/type/{label}",
                cat,
                RECORD,
                with_(SF_RECORD_VARS, ("type",), value),
                expect={BAD_USER_INPUT},
            )
        )
    # crmRecords: the field refused whole (integration, object type, too many ids), or a
    # malformed id refused as its own item; either way before any call.
    for shape, value in MISSING_INTEGRATION_IDS.items():
        cases.append(
            gql(
                f"crmRecords/integrationId/{shape}",
                cat,
                RECORDS,
                with_(RECORDS_VARS, ("id",), value),
                expect={NOT_FOUND},
            )
        )
    for prefix, vars_, shapes in [
        ("crmRecords/hubspot", RECORDS_VARS, HUBSPOT_RECORD_IDS),
        (
            "crmRecords/salesforce",
            {**RECORDS_VARS, "id": SALESFORCE, "type": "accounts"},
            SALESFORCE_IDS,
        ),
    ]:
        for shape, value in shapes.items():
            cases.append(
                gql(
                    f"{prefix}/ids/{shape}",
                    cat,
                    RECORDS,
                    with_(vars_, ("ids",), [value]),
                    expect={BAD_USER_INPUT},
                )
            )
    for label, change in [
        ("type-unknown-salesforce", {"id": SALESFORCE, "type": "widgets"}),
        ("type-bad-hubspot", {"type": "con tacts"}),
        ("ids-10001", {"ids": ["1"] * 10_001}),
    ]:
        cases.append(
            gql(
                f"crmRecords/{label}",
                cat,
                RECORDS,
                {**RECORDS_VARS, **change},
                expect={BAD_USER_INPUT},
            )
        )
    for label, after, first in [
        ("after-garbage", "garbage", None),
        ("after-not-base64", "%%%", None),
        ("after-other-kind", "c2VjcmV0OjE=", None),  # secret:1
        ("after-negative", "b2Zmc2V0Oi0x", None),  # offset:-1
        ("after-empty", "", None),
        ("first-negative", None, -1),
        ("first-over-page", None, 501),
    ]:
        cases.append(
            gql(
                f"crmRecord/associations/{label}",
                cat,
                PAGE,
                {"after": after, "first": first},
                expect={BAD_USER_INPUT},
            )
        )
    cases.append(
        gql(
            "crmRecord/associations/first-over-int32",
            "wrong-types",
            PAGE,
            {"first": 2**31},
            expect={BAD_USER_INPUT},
            coerced=True,
        )
    )
    for label, reps in [
        ("empty-object", [{}]),
        ("unknown-typename", [{"__typename": "Secret", "id": "1"}]),
        ("record-missing-keys", [{"__typename": "CrmRecord"}]),
        (
            "record-empty-keys",
            [{"__typename": "CrmRecord", "integrationId": "", "objectType": "", "id": ""}],
        ),
        ("typename-int", [{"__typename": 5}]),
        ("string", ["CrmRecord"]),
    ]:
        cases.append(gql(f"_entities/{label}", cat, ENTITIES, {"r": reps}, expect={BAD_USER_INPUT}))
    return cases


# --- wrong types -----------------------------------------------------------------------------


def wrong_type_cases() -> list[Case]:
    cat = "wrong-types"
    cases: list[Case] = []
    # Variables of the wrong JSON type: coercion refuses them (BAD_USER_INPUT).
    for mutation, (doc, good) in ALL_MUTATIONS.items():
        first = next(iter(good))
        for label, value in {
            "float": 1.5,
            "bool": True,
            "object": {"a": 1},
            "list-of-lists": [[1]],
            "null": None,
        }.items():
            if first == "input" and label == "object":
                continue  # an object is the right shape there; see the input cases below
            cases.append(
                gql(
                    f"{mutation}/${first}/{label}",
                    cat,
                    doc,
                    with_(good, (first,), value),
                    expect={BAD_USER_INPUT},
                    coerced=True,
                )
            )
        cases.append(
            gql(
                f"{mutation}/${first}/missing",
                cat,
                doc,
                without(good, (first,)),
                expect={BAD_USER_INPUT},
                coerced=True,
            )
        )
    # Input objects with fields of the wrong type, unknown fields, missing fields.
    create = CREATE_VARS
    for label, path, value in [
        ("name-int", ("input", "name"), 5),
        ("isEnabled-string", ("input", "isEnabled"), "yes"),
        ("credentials-string", ("input", "credentials"), "token"),
        ("credentials-list", ("input", "credentials"), ["token"]),
        ("accessToken-object", ("input", "credentials", "accessToken"), {"t": 1}),
        ("unknown-field", ("input", "password"), "hunter2"),
        ("input-string", ("input",), "HUBSPOT"),
    ]:
        cases.append(
            gql(
                f"createCrmIntegration/{label}",
                cat,
                CREATE,
                with_(create, path, value),
                expect={BAD_USER_INPUT},
                coerced=True,
            )
        )
    for label, value in [("config-int", 5), ("config-string", "x"), ("config-list", [1])]:
        cases.append(
            gql(
                f"createCrmIntegration/{label}",
                cat,
                CREATE,
                with_(create, ("input", "config"), value),
                expect={BAD_USER_INPUT},
            )
        )
    cases.append(
        gql(
            "createCrmIntegration/blank-accessToken",
            cat,
            CREATE,
            with_(create, ("input", "credentials", "accessToken"), "   "),
            expect={BAD_USER_INPUT},
        )
    )
    cases.append(
        gql(
            "createCrmIntegration/missing-credentials",
            cat,
            CREATE,
            without(create, ("input", "credentials")),
            expect={BAD_USER_INPUT},
            coerced=True,
        )
    )
    for label, value in [
        ("inputs-string", "not a list"),
        ("inputs-ints", [1, 2]),
        ("inputs-from-string", [{"from": "1", "to": {"id": "1001"}, "type": "x"}]),
        ("inputs-missing-type", [{"from": {"id": "1"}, "to": {"id": "1001"}}]),
        ("inputs-unknown-field", [{**pair(), "bogus": 1}]),
        ("inputs-id-float", [pair() | {"from": {"id": 1.5}}]),
    ]:
        cases.append(
            gql(
                f"batchCreateAssociations/{label}",
                cat,
                BATCH,
                with_(BATCH_VARS, ("inputs",), value),
                expect={BAD_USER_INPUT},
                coerced=True,
            )
        )
    for label, path, value, coerced in [
        ("remoteQuery-list", ("options",), {"remoteQuery": [1]}, False),
        ("remoteQuery-nested", ("options",), {"remoteQuery": {"a": {"b": 1}}}, False),
        ("excludeFields-unknown", ("options",), {"excludeFields": ["password"]}, False),
        ("excludeFields-int", ("options",), {"excludeFields": [1]}, True),
        ("remoteData-list", ("input", "remoteData"), [1], False),
        ("remoteData-string", ("input", "remoteData"), "x", False),
        ("associations-list", ("input", "associations"), [GRACE], True),
        ("contacts-strings", ("input", "associations", "contacts"), [GRACE], True),
    ]:
        cases.append(
            gql(
                f"createAssociation/{label}",
                cat,
                ASSOCIATE,
                with_(ASSOCIATE_VARS, path, value),
                expect={BAD_USER_INPUT},
                coerced=coerced,
            )
        )
    for label, value in [("int", 5), ("list", ["a"]), ("null", None)]:
        cases.append(
            gql(
                f"createRelation/firstRecordId-{label}",
                cat,
                RELATE,
                with_(RELATE_VARS, ("input", "firstRecordId"), value),
                expect={BAD_USER_INPUT},
                coerced=True,
            )
        )
    # Literals of the wrong type in the document: refused by validation.
    literal = [
        ("integrationId-bool", "deleteCrmIntegration(id: true)"),
        ("integrationId-float", "deleteCrmIntegration(id: 1.5)"),
        ("integrationId-object", "deleteCrmIntegration(id: {a: 1})"),
        ("integrationId-null", "deleteCrmIntegration(id: null)"),
        (
            "objectType-int",
            'createDefaultAssociation(integrationId: "x", fromObjectType: 1, '
            'fromObjectId: "1", toObjectType: "companies", toObjectId: "1001") { status }',
        ),
        ("unknown-argument", 'deleteCrmIntegration(id: "x", force: true)'),
        ("missing-argument", "deleteCrmIntegration"),
        (
            "isEnabled-string",
            'createCrmIntegration(input: {provider: HUBSPOT, name: "n", '
            'credentials: {accessToken: "t"}, isEnabled: "yes"}) { id }',
        ),
    ]
    for label, field_ in literal:
        cases.append(
            gql(f"literal/{label}", cat, f"mutation {{ {field_} }}", expect={VALIDATION_FAILED})
        )
    for label, doc in [
        ("scalar-with-selection", "{ crmIntegrations { id { value } } }"),
        ("object-without-selection", "{ crmIntegrations }"),
        ("unknown-field", "{ crmIntegrations { id password } }"),
        ("variable-of-wrong-type", "query($id: String!) { crmIntegration(id: $id) { id } }"),
        ("variable-of-unknown-type", "query($id: Secret!) { crmIntegration(id: $id) { id } }"),
        ("undefined-variable", "{ crmIntegration(id: $id) { id } }"),
        (
            "input-type-as-variable-of-output",
            "query($x: CrmIntegration) { crmIntegrations { id } }",
        ),
        ("fragment-on-wrong-type", "{ crmIntegrations { ...F } } fragment F on Relation { id }"),
    ]:
        cases.append(gql(f"document/{label}", cat, doc, expect={VALIDATION_FAILED}))
    return cases


# --- unknown enums ---------------------------------------------------------------------------


def unknown_enum_cases() -> list[Case]:
    cat = "unknown-enums"
    cases: list[Case] = []
    for label, value in [
        ("unknown", "SHOPIFY"),
        ("lower-case", "hubspot"),
        ("empty", ""),
        ("int", 1),
        ("null", None),
        ("list", ["HUBSPOT"]),
        ("padded", " HUBSPOT"),
    ]:
        cases.append(
            gql(
                f"provider/variable/{label}",
                cat,
                CREATE,
                with_(CREATE_VARS, ("input", "provider"), value),
                expect={BAD_USER_INPUT},
                coerced=True,
            )
        )
    for label, value in [
        ("unknown", "SHOPIFY"),
        ("string-literal", '"HUBSPOT"'),
        ("lower", "hubspot"),
    ]:
        cases.append(
            gql(
                f"provider/literal/{label}",
                cat,
                "mutation { createCrmIntegration(input: {provider: " + value + ', name: "n", '
                'credentials: {accessToken: "t"}}) { id } }',
                expect={VALIDATION_FAILED},
            )
        )
    for label, value in [("unknown", "DEALS"), ("lower-case", "accounts"), ("int", 0)]:
        cases.append(
            gql(
                f"entity/variable/{label}",
                cat,
                ASSOCIATE,
                with_(ASSOCIATE_VARS, ("input", "entity"), value),
                expect={BAD_USER_INPUT},
                coerced=True,
            )
        )
    for label, value in [("unknown", "XML"), ("lower-case", "raw"), ("bool", True)]:
        cases.append(
            gql(
                f"responseFormat/variable/{label}",
                cat,
                ASSOCIATE,
                with_(ASSOCIATE_VARS, ("options",), {"responseFormat": value}),
                expect={BAD_USER_INPUT},
                coerced=True,
            )
        )
    for label, args in [
        ("entity", "entity: DEALS, responseFormat: RAW"),
        ("responseFormat", "entity: ACCOUNTS, responseFormat: XML"),
        ("entity-string", 'entity: "ACCOUNTS", responseFormat: RAW'),
    ]:
        entity, fmt = args.split(", ")
        cases.append(
            gql(
                f"literal/{label}",
                cat,
                f'mutation {{ createAssociation(integrationId: "x", input: {{entityId: "{ACME}", '
                f'{entity}, associations: {{contacts: [{{id: "{GRACE}"}}]}}}}, options: {{{fmt}}}) '
                "{ entityId } }",
                expect={VALIDATION_FAILED},
            )
        )
    cases.append(
        gql(
            "literal/enum-value-as-unknown-argument",
            cat,
            "{ crmIntegrations(status: COMPLETE) { id } }",
            expect={VALIDATION_FAILED},
        )
    )
    return cases


# --- empty and oversized batches -------------------------------------------------------------


def batch_size_cases() -> list[Case]:
    cases = [
        Case("batch/empty-array", "empty-batches", 400, codes(BAD_REQUEST), json=[]),
        Case("batch/one-empty-object", "empty-batches", 400, codes(BAD_REQUEST), json=[{}]),
        gql(
            "batchCreateAssociations/inputs-empty",
            "empty-batches",
            BATCH,
            with_(BATCH_VARS, ("inputs",), []),
            expect={BAD_USER_INPUT},
        ),
        gql(
            "createAssociation/associations-empty-object",
            "empty-batches",
            ASSOCIATE,
            with_(ASSOCIATE_VARS, ("input", "associations"), {}),
            expect={BAD_USER_INPUT},
        ),
        gql(
            "createAssociation/contacts-empty-list",
            "empty-batches",
            ASSOCIATE,
            with_(ASSOCIATE_VARS, ("input", "associations"), {"contacts": []}),
            expect={BAD_USER_INPUT},
        ),
        gql(
            "createAssociation/all-lists-null",
            "empty-batches",
            ASSOCIATE,
            with_(
                ASSOCIATE_VARS,
                ("input", "associations"),
                {"contacts": None, "accounts": None, "opportunities": None, "leads": None},
            ),
            expect={BAD_USER_INPUT},
        ),
        gql(
            "createAssociation/opportunity-with-two-accounts",
            "oversized-batches",
            ASSOCIATE,
            with_(
                ASSOCIATE_VARS,
                ("input",),
                {
                    "entityId": demo.SF_OPPORTUNITY_ID,
                    "entity": "OPPORTUNITIES",
                    "associations": {"accounts": [{"id": ACME}, {"id": GLOBEX}]},
                },
            ),
            expect={BAD_USER_INPUT},
        ),
    ]
    over = MAX_BATCH_INPUTS + 1
    cases += [
        gql(
            f"batchCreateAssociations/inputs-{over}",
            "oversized-batches",
            BATCH,
            with_(BATCH_VARS, ("inputs",), [pair(str(1 + i % 400)) for i in range(over)]),
            expect={BAD_USER_INPUT},
        ),
        gql(
            f"batchCreateAssociations/inputs-{over}-all-bad",
            "oversized-batches",
            BATCH,
            with_(BATCH_VARS, ("inputs",), [pair("x")] * over),
            expect={BAD_USER_INPUT},
        ),
        gql(
            f"createAssociation/contacts-{over}",
            "oversized-batches",
            ASSOCIATE,
            with_(
                ASSOCIATE_VARS,
                ("input", "associations"),
                {"contacts": [{"id": GRACE}] * over},
            ),
            expect={BAD_USER_INPUT},
        ),
        gql(
            f"createAssociation/split-over-lists-{over}",
            "oversized-batches",
            ASSOCIATE,
            with_(
                ASSOCIATE_VARS,
                ("input", "associations"),
                {
                    "contacts": [{"id": GRACE}] * (over // 2),
                    "opportunities": [{"id": demo.SF_OPPORTUNITY_ID}] * (over - over // 2),
                },
            ),
            expect={BAD_USER_INPUT},
        ),
    ]
    return cases


# --- malformed JSON and wrong shapes ---------------------------------------------------------


def malformed_json_cases() -> list[Case]:
    cat = "malformed-json"
    bodies = {
        "unquoted-key": b"{bad",
        "truncated": b'{"query": "{ crmIntegrations { id } }"',
        "trailing-comma": b'{"query": "{ crmIntegrations { id } }",}',
        "single-quotes": b"{'query': '{ crmIntegrations { id } }'}",
        "trailing-garbage": b'{"query": "{ crmIntegrations { id } }"} {}',
        "empty": b"",
        "whitespace": b"   \n\t ",
        "nul-byte": b"\x00",
        "invalid-utf8": b'{"query": "\xff\xfe"}',
        "latin1": b'{"query": "{ crmIntegration(id: \\"caf\xe9\\") { id } }"}',
        "unterminated-string": b'{"query": "{ crmIntegrations { id } }}',
        "bad-escape": b'{"query": "\\x41"}',
        "control-char-in-string": b'{"query": "{\x01}"}',
        "integer-over-4300-digits": b'{"query": "{ crmIntegrations { id } }", "variables": {"n": '
        + b"1" * 5000
        + b"}}",
        "javascript": b"{query: `{ crmIntegrations { id } }`}",
        "form-encoded-as-json": b"query=%7B+crmIntegrations+%7B+id+%7D+%7D",
        "xml": b"<query>{ crmIntegrations { id } }</query>",
    }
    cases = [raw(f"body/{k}", cat, v, expect={BAD_REQUEST}) for k, v in bodies.items()]
    shapes: dict[str, Any] = {
        "top-level-int": 123,
        "top-level-string": "{ crmIntegrations { id } }",
        "top-level-true": True,
        "top-level-float": 1.5,
        "query-missing": {"variables": {}},
        "query-null": {"query": None},
        "query-empty": {"query": ""},
        "query-int": {"query": 5},
        "query-list": {"query": ["{ crmIntegrations { id } }"]},
        "query-object": {"query": {"crmIntegrations": "id"}},
        "variables-list": {"query": "{ crmIntegrations { id } }", "variables": [1]},
        "variables-string": {"query": "{ crmIntegrations { id } }", "variables": "{}"},
        "extensions-int": {"query": "{ crmIntegrations { id } }", "extensions": 5},
        "operationName-int": {"query": "{ crmIntegrations { id } }", "operationName": 5},
        "operationName-object": {"query": "{ crmIntegrations { id } }", "operationName": {}},
        "batch-of-ints": [1, 2],
        "batch-of-nulls": [None],
        "batch-of-strings": ["{ crmIntegrations { id } }"],
        "batch-of-arrays": [[{"query": "{ crmIntegrations { id } }"}]],
        "batch-query-int": [{"query": 5}],
        "batch-query-null": [{"query": None}],
        "batch-variables-list": [{"query": "{ crmIntegrations { id } }", "variables": [1]}],
        "batch-second-item-bad": [{"query": "{ crmIntegrations { id } }"}, {"query": 5}],
        "persisted-query-version-2": {
            "extensions": {"persistedQuery": {"version": 2, "sha256Hash": "0" * 64}}
        },
        "persisted-query-short-hash": {
            "extensions": {"persistedQuery": {"version": 1, "sha256Hash": "abc"}}
        },
        "persisted-query-not-an-object": {"extensions": {"persistedQuery": "0" * 64}},
    }
    cases += [Case(f"shape/{k}", cat, 400, codes(BAD_REQUEST), json=v) for k, v in shapes.items()]
    # An unknown hash is the protocol's "send the document": a 200 the client retries on.
    cases.append(
        Case(
            "shape/persisted-query-unknown-hash",
            cat,
            200,
            codes("PERSISTED_QUERY_NOT_FOUND"),
            json={"extensions": {"persistedQuery": {"version": 1, "sha256Hash": "0" * 64}}},
        )
    )
    cases.append(raw("shape/top-level-null", cat, b"null", expect={BAD_REQUEST}))
    # Bodies aiohttp cannot decode (Connection: close: aiohttp drops such a connection after).
    close = {"Connection": "close"}
    cases += [
        raw(
            "encoding/gzip-not-gzip",
            cat,
            b"not gzip at all",
            expect={BAD_REQUEST},
            headers={"Content-Encoding": "gzip", **close},
        ),
        raw(
            "encoding/deflate-not-deflate",
            cat,
            b"not deflate at all",
            expect={BAD_REQUEST},
            headers={"Content-Encoding": "deflate", **close},
        ),
        raw(
            "encoding/gzip-of-garbage-json",
            cat,
            gzip.compress(b"{bad"),
            expect={BAD_REQUEST},
            headers={"Content-Encoding": "gzip"},
        ),
        raw(
            "encoding/brotli",
            cat,
            b"not brotli",
            expect={BAD_REQUEST},
            headers={"Content-Encoding": "br", **close},
            xfail=PROTOCOL_ERROR,
        ),
    ]
    return cases


def content_type_cases() -> list[Case]:
    body = json.dumps({"query": "{ crmIntegrations { id } }"}).encode()
    cases = [
        raw(
            f"content-type/{label}",
            "content-types",
            body,
            content_type=ct,
            status=415,
            expect={UNSUPPORTED_MEDIA_TYPE},
        )
        for label, ct in [
            ("text-plain", "text/plain"),
            ("form-urlencoded", "application/x-www-form-urlencoded"),
            ("multipart", "multipart/form-data; boundary=x"),
            ("graphql", "application/graphql"),
            ("xml", "application/xml"),
            ("text-json", "text/json"),
            ("octet-stream", "application/octet-stream"),
        ]
    ]
    cases += [
        raw(
            f"content-type/{label}-with-a-number",
            "content-types",
            b"123",
            content_type=ct,
            expect={BAD_REQUEST},
        )
        for label, ct in [
            ("json-patch", "application/json-patch+json"),
            ("json-charset", "application/json; charset=utf-8"),
            ("json-upper-case", "APPLICATION/JSON"),
        ]
    ]
    cases.append(
        raw(
            "content-type/missing",
            "content-types",
            body,
            content_type=None,
            status=415,
            expect={UNSUPPORTED_MEDIA_TYPE},
        )
    )
    return cases


# --- huge strings ----------------------------------------------------------------------------


def huge_string_cases() -> list[Case]:
    cat = "huge-strings"
    big = "x" * MEGABYTE
    big_digits = "1" * MEGABYTE

    return [
        gql(
            "createCrmIntegration/name-1MB",
            cat,
            CREATE,
            with_(CREATE_VARS, ("input", "name"), big),
            expect={BAD_USER_INPUT},
        ),
        gql(
            "createCrmIntegration/hubspot-instanceUrl-1MB",
            cat,
            CREATE,
            with_(CREATE_VARS, ("input", "instanceUrl"), "https://" + big),
            expect={BAD_USER_INPUT},
        ),
        gql(
            "createCrmIntegration/salesforce-instanceUrl-1MB",
            cat,
            CREATE,
            with_(
                CREATE_VARS,
                ("input",),
                {
                    "provider": "SALESFORCE",
                    "name": "n",
                    "instanceUrl": "ftp://" + big,
                    "credentials": {"accessToken": "t"},
                },
            ),
            expect={BAD_USER_INPUT},
            xfail=None,
        ),
        gql(
            "createCrmIntegration/accessToken-1MB",
            cat,
            CREATE,
            with_(CREATE_VARS, ("input", "credentials", "accessToken"), big),
            expect={BAD_USER_INPUT},
            xfail=None,
        ),
        gql(
            "updateCrmIntegration/name-1MB",
            cat,
            UPDATE,
            with_(UPDATE_VARS, ("input", "name"), big),
            expect={BAD_USER_INPUT},
        ),
        gql(
            "deleteCrmIntegration/id-1MB",
            cat,
            DELETE,
            {"id": big},
            expect={NOT_FOUND},
            xfail=None,
        ),
        gql(
            "createDefaultAssociation/integrationId-1MB",
            cat,
            DEFAULT,
            with_(DEFAULT_VARS, ("id",), big),
            expect={NOT_FOUND},
            xfail=None,
        ),
        gql(
            "createDefaultAssociation/fromObjectId-1MB",
            cat,
            DEFAULT,
            with_(DEFAULT_VARS, ("from",), big_digits),
            expect={BAD_USER_INPUT},
        ),
        gql(
            "createDefaultAssociation/fromObjectType-1MB",
            cat,
            DEFAULT,
            with_(DEFAULT_VARS, ("fromType",), big),
            expect={BAD_USER_INPUT},
        ),
        gql(
            "batchCreateAssociations/type-1MB",
            cat,
            BATCH,
            with_(BATCH_VARS, ("inputs", 0, "type"), big),
            expect={BAD_USER_INPUT},
        ),
        gql(
            "createAssociation/entityId-1MB",
            cat,
            ASSOCIATE,
            with_(ASSOCIATE_VARS, ("input", "entityId"), big),
            expect={BAD_USER_INPUT},
            xfail=None,
        ),
        gql(
            "createRelation/firstRecordId-1MB",
            cat,
            RELATE,
            with_(RELATE_VARS, ("input", "firstRecordId"), big),
            expect={BAD_USER_INPUT},
        ),
        gql(
            "createRelation/all-ids-400KB",
            cat,
            RELATE,
            with_(
                RELATE_VARS,
                ("input",),
                dict.fromkeys(RELATE_VARS["input"], "y" * 400_000),
            ),
            expect={BAD_USER_INPUT},
        ),
        gql(
            "document/unknown-field-name-1MB",
            cat,
            "{ " + "f" * MEGABYTE + " }",
            expect={VALIDATION_FAILED},
            xfail=None,
        ),
        gql(
            "document/string-literal-1MB",
            cat,
            'mutation { deleteCrmIntegration(id: "' + big + '") }',
            expect={NOT_FOUND},
            xfail=None,
        ),
        gql(
            "operationName-1MB",
            cat,
            "query A { crmIntegrations { id } }",
            expect={BAD_REQUEST},
            status=400,
            operation_name=big,
        ),
        gql(
            "variable-name-1MB",
            cat,
            "query($" + "v" * MEGABYTE + ": ID!) { crmIntegrations { id } }",
            {"v": "1"},
            expect={VALIDATION_FAILED},
            xfail=None,
        ),
        Case(
            "header/authorization-8000-chars",
            "huge-strings",
            401,
            codes(UNAUTHENTICATED),
            headers={"Authorization": "Bearer " + "k" * 8000},
            json={"query": "{ crmIntegrations { id } }"},
        ),
        Case(
            "header/over-aiohttp-field-limit",
            "huge-strings",
            400,
            codes(BAD_REQUEST),
            headers={**AUTH, "X-Padding": "p" * 9000},
            json={"query": "{ crmIntegrations { id } }"},
            xfail=PROTOCOL_ERROR,
        ),
    ]


# --- depth, aliases, size --------------------------------------------------------------------


def _introspection(levels: int) -> str:
    """``fields { type { ofType { fields ... } } }``: each level multiplies the answer."""
    inner = "name"
    for _ in range(levels):
        inner = f"fields {{ name type {{ name ofType {{ name {inner} }} }} }}"
    return f"{{ __schema {{ types {{ {inner} }} }} }}"


def _record_chain(levels: int) -> str:
    """crmRecord -> associations -> edges -> node -> record -> associations ...: recursive."""
    inner = "id"
    for _ in range(levels):
        inner = f'id associations(toObjectType: "companies") {{ edges {{ node {{ record {{ {inner} }} }} }} }}'
    return f'{{ crmRecord(integrationId: "{HUBSPOT}", objectType: "contacts", id: "1") {{ {inner} }} }}'


def deep_nesting_cases() -> list[Case]:
    cat = "deep-nesting"
    return [
        gql("introspection-fields-4-levels", cat, _introspection(4), expect={VALIDATION_FAILED}),
        gql("introspection-fields-40-levels", cat, _introspection(40), expect={VALIDATION_FAILED}),
        gql(
            "crmRecord-associations-4-levels",
            cat,
            _record_chain(4),
            expect={VALIDATION_FAILED},
        ),
        gql(
            "crmRecord-associations-30-levels",
            cat,
            _record_chain(30),
            expect={VALIDATION_FAILED},
        ),
        gql(
            "introspection-through-fragments",
            cat,
            "{ __schema { types { ...A } } }\n"
            + "\n".join(
                f"fragment {chr(65 + i)} on __Type {{ fields {{ type {{ ...{chr(66 + i)} }} }} }}"
                for i in range(6)
            )
            + f"\nfragment {chr(65 + 6)} on __Type {{ name }}",
            expect={VALIDATION_FAILED},
        ),
        gql(
            "unknown-fields-50-deep",
            cat,
            "{" + "a {" * 50 + "b" + "}" * 51,
            expect={VALIDATION_FAILED},
        ),
        gql(
            "selections-2400-deep",
            cat,
            "{" + "a {" * 2400 + "b" + "}" * 2401,
            expect={PARSE_FAILED},
        ),
        gql(
            "list-literal-2000-deep",
            cat,
            "{ crmIntegration(id: " + "[" * 2000 + "]" * 2000 + ") { id } }",
            expect={PARSE_FAILED},
        ),
        gql(
            "object-literal-2000-deep",
            cat,
            'mutation { updateCrmIntegration(id: "x", input: {config: '
            + "{a: " * 2000
            + "1"
            + "}" * 2000
            + "}) { id } }",
            expect={PARSE_FAILED},
        ),
        gql(
            "fragment-cycle",
            cat,
            "{ ...A } fragment A on Query { ...B } fragment B on Query { ...A }",
            expect={VALIDATION_FAILED},
        ),
        gql(
            "fragment-self-cycle",
            cat,
            "{ crmIntegrations { ...A } } fragment A on CrmIntegration { id ...A }",
            expect={VALIDATION_FAILED},
        ),
        gql(
            "fragment-bomb-15-levels",
            cat,
            _fragment_bomb(15),
            expect={VALIDATION_FAILED},
            max_seconds=0.15,
            xfail=None,
        ),
        raw(
            "json-body-100000-deep",
            cat,
            b'{"query": "{ crmIntegrations { id } }", "variables": {"x": '
            + b"[" * 100_000
            + b"]" * 100_000
            + b"}}",
            expect={BAD_REQUEST},
        ),
        raw(
            "json-body-100000-deep-objects",
            cat,
            b'{"query": "{ crmIntegrations { id } }", "variables": '
            + b'{"a": ' * 100_000
            + b"1"
            + b"}" * 100_000
            + b"}",
            expect={BAD_REQUEST},
        ),
        gql(
            "config-variable-900-deep",
            cat,
            UPDATE,
            with_(UPDATE_VARS, ("input",), {"config": _nested(900)}),
            expect={BAD_USER_INPUT},  # CrmConfig forbids unknown keys
        ),
        gql(
            "inputs-variable-500-deep-lists",
            cat,
            BATCH,
            with_(BATCH_VARS, ("inputs",), _nested_list(500)),
            expect={BAD_USER_INPUT},
            coerced=True,
        ),
        get(
            "GET-variables-1500-deep",
            cat,
            {"query": "{ crmIntegrations { id } }", "variables": "[" * 1500},
            expect={BAD_REQUEST},
            status=400,
        ),
    ]


def _fragment_bomb(levels: int) -> str:
    """Each fragment spreads the next twice: 2^levels expansions of a ~10-token-a-level text."""
    spreads = "\n".join(
        f"fragment F{i} on Query {{ ...F{i + 1} ...F{i + 1} }}" for i in range(levels)
    )
    last = f"fragment F{levels} on Query {{ crmIntegrations {{ id }} f: crmIntegrations {{ id }} }}"
    return f"{{ ...F0 }}\n{spreads}\n{last}"


def _nested(depth: int) -> Any:
    value: Any = 1
    for _ in range(depth):
        value = {"a": value}
    return value


def _nested_list(depth: int) -> Any:
    value: Any = pair()
    for _ in range(depth):
        value = [value]
    return value


def alias_bomb_cases() -> list[Case]:
    cat = "alias-bombs"
    over = MAX_ALIASES + 1
    over_mutation = MAX_MUTATION_ALIASES + 1  # mutations have the tighter budget

    def aliased(field_: str, n: int) -> str:
        return " ".join(f"a{i}: {field_}" for i in range(n))

    default_call = (
        f'createDefaultAssociation(integrationId: "{HUBSPOT}", fromObjectType: "contacts", '
        'fromObjectId: "1", toObjectType: "companies", toObjectId: "1001") { status }'
    )
    relate_call = (
        f'createRelation(integrationId: "{LEADCONNECTOR}", input: {{locationId: '
        f'"{demo.GHL_LOCATION_ID}", associationId: "{demo.GHL_ASSOCIATION_ID}", firstRecordId: '
        f'"{demo.GHL_CHILD_IDS[1]}", secondRecordId: "{demo.GHL_CONTACT_IDS[1]}"}}) {{ id }}'
    )
    batch_call = (
        f'batchCreateAssociations(integrationId: "{HUBSPOT}", fromObjectType: "contacts", '
        'toObjectType: "companies", inputs: [{from: {id: "1"}, to: {id: "1001"}, '
        'type: "contact_to_company"}]) { status }'
    )
    associate_call = (
        f'createAssociation(integrationId: "{SALESFORCE}", input: {{entityId: "{ACME}", '
        f'entity: ACCOUNTS, associations: {{contacts: [{{id: "{GRACE}"}}]}}}}) {{ entityId }}'
    )
    return [
        gql(
            f"query-{over}-aliases",
            cat,
            "{ " + aliased("crmIntegrations { id }", over) + " }",
            expect={VALIDATION_FAILED},
        ),
        gql(
            "typename-1000-aliases",
            cat,
            "{ " + aliased("__typename", 1000) + " }",
            expect={VALIDATION_FAILED},
        ),
        gql(
            "nested-aliases-over-limit",
            cat,
            "{ crmIntegrations { " + aliased("id", over) + " } }",
            expect={VALIDATION_FAILED},
        ),
        gql(
            "aliases-in-fragment",
            cat,
            "{ ...F } fragment F on Query { " + aliased("crmIntegrations { id }", over) + " }",
            expect={VALIDATION_FAILED},
        ),
        gql(
            f"createDefaultAssociation-{over_mutation}-aliases",
            cat,
            "mutation { " + aliased(default_call, over_mutation) + " }",
            expect={VALIDATION_FAILED},
        ),
        gql(
            f"createRelation-{over_mutation}-aliases",
            cat,
            "mutation { " + aliased(relate_call, over_mutation) + " }",
            expect={VALIDATION_FAILED},
        ),
        gql(
            f"batchCreateAssociations-{over_mutation}-aliases",
            cat,
            "mutation { " + aliased(batch_call, over_mutation) + " }",
            expect={VALIDATION_FAILED},
        ),
        gql(
            f"createAssociation-{over_mutation}-aliases",
            cat,
            "mutation { " + aliased(associate_call, over_mutation) + " }",
            expect={VALIDATION_FAILED},
        ),
        gql(
            "mutation-aliases-split-over-two-levels",
            cat,
            "mutation { "
            + aliased(default_call.replace("{ status }", "{ s1: status s2: status }"), 20)
            + " }",
            expect={VALIDATION_FAILED},
        ),
        gql(
            "same-alias-different-fields",
            cat,
            '{ a: crmIntegrations { id } a: crmIntegration(id: "x") { id } }',
            expect={VALIDATION_FAILED},
        ),
    ]


def oversized_document_cases() -> list[Case]:
    cat = "oversized-documents"
    over = MAX_BODY_BYTES + 1
    padding = "x" * (over - len('{"query": ""}'))
    return [
        Case("body-limit-plus-1", cat, 413, codes(PAYLOAD_TOO_LARGE), json={"query": padding}),
        Case(
            "body-3MB-query",
            cat,
            413,
            codes(PAYLOAD_TOO_LARGE),
            json={"query": "{ crmIntegrations { id } }" + " " * 3 * MEGABYTE},
        ),
        Case(
            "body-3MB-variables",
            cat,
            413,
            codes(PAYLOAD_TOO_LARGE),
            json={"query": DELETE, "variables": {"id": "x" * 3 * MEGABYTE}},
        ),
        Case(
            "body-3MB-batch",
            cat,
            413,
            codes(PAYLOAD_TOO_LARGE),
            json=[{"query": "{ crmIntegrations { id } }" + " " * MEGABYTE}] * 3,
        ),
        raw(
            "body-3MB-not-json", cat, b"\x00" * 3 * MEGABYTE, status=413, expect={PAYLOAD_TOO_LARGE}
        ),
        raw(
            "gzip-bomb-16MB",
            cat,
            gzip.compress(b" " * 16 * MEGABYTE),
            status=413,
            expect={PAYLOAD_TOO_LARGE},
            headers={"Content-Encoding": "gzip"},
        ),
        raw(
            "deflate-bomb-16MB",
            cat,
            zlib.compress(b"[" * 16 * MEGABYTE),
            status=413,
            expect={PAYLOAD_TOO_LARGE},
            headers={"Content-Encoding": "deflate"},
        ),
        raw(
            "body-3MB-without-a-key",
            cat,
            b" " * 3 * MEGABYTE,
            status=401,
            expect={UNAUTHENTICATED},
            headers={"Authorization": ""},
        ),
        gql(
            "tokens-over-limit",
            cat,
            "{ " + " ".join(["__typename"] * (MAX_TOKENS + 1)) + " }",
            expect={PARSE_FAILED},
        ),
        gql(
            "tokens-20000",
            cat,
            "{ crmIntegrations { " + " ".join(["id"] * 20_000) + " } }",
            expect={PARSE_FAILED},
        ),
        gql(
            "operations-2000-in-one-document",
            cat,
            " ".join(f"query Q{i} {{ __typename }}" for i in range(2000)),
            operation_name="Q0",
            expect={PARSE_FAILED},
        ),
        gql(
            "fragments-2000",
            cat,
            "{ ...F0 } "
            + " ".join(f"fragment F{i} on Query {{ __typename }}" for i in range(2000)),
            expect={PARSE_FAILED},
        ),
        gql("comment-only-1.5MB", cat, "#" + "c" * (3 * MEGABYTE // 2), expect={PARSE_FAILED}),
        gql(
            "whitespace-1.5MB-then-brace",
            cat,
            " " * (3 * MEGABYTE // 2) + "{",
            expect={PARSE_FAILED},
        ),
        gql(
            "variables-100000-unused-keys",
            cat,
            "query($id: ID!) { deleteCrmIntegration(id: $id) }".replace("query", "mutation"),
            {"id": "nope", **{f"k{i}": i for i in range(100_000)}},
            expect={NOT_FOUND},
        ),
        Case(
            "GET-url-over-aiohttp-line-limit",
            cat,
            400,
            codes(BAD_REQUEST),
            method="GET",
            params={"query": "{ crmIntegrations { " + "id " * 3000 + " } }"},
            xfail=PROTOCOL_ERROR,
        ),
    ]


# --- operations, batches over the cap, methods -----------------------------------------------


def unknown_operation_cases() -> list[Case]:
    cat = "unknown-operations"
    two = "query A { crmIntegrations { id } } query B { crmIntegrations { name } }"
    return [
        gql(
            "operationName-unknown",
            cat,
            "query A { crmIntegrations { id } }",
            operation_name="Nope",
            status=400,
            expect={BAD_REQUEST},
        ),
        gql(
            "operationName-for-anonymous",
            cat,
            "{ crmIntegrations { id } }",
            operation_name="A",
            status=400,
            expect={BAD_REQUEST},
        ),
        gql(
            "operationName-empty",
            cat,
            "query A { crmIntegrations { id } }",
            operation_name="",
            status=400,
            expect={BAD_REQUEST},
        ),
        gql(
            "operationName-case-mismatch",
            cat,
            "query A { crmIntegrations { id } }",
            operation_name="a",
            status=400,
            expect={BAD_REQUEST},
        ),
        gql(
            "operationName-unknown-of-two",
            cat,
            two,
            operation_name="C",
            status=400,
            expect={BAD_REQUEST},
        ),
        gql(
            "fragment-only-document",
            cat,
            "fragment F on Query { crmIntegrations { id } }",
            status=400,
            expect={BAD_REQUEST},
        ),
        gql("type-definition-only", cat, "type Evil { id: ID }", status=400, expect={BAD_REQUEST}),
        gql(
            "schema-extension",
            cat,
            "extend type Query { evil: String } { crmIntegrations { id } }",
            expect={VALIDATION_FAILED},
        ),
        gql(
            "two-anonymous-operations",
            cat,
            "{ crmIntegrations { id } } { crmIntegrations { name } }",
            expect={VALIDATION_FAILED},
        ),
        gql(
            "duplicate-operation-names",
            cat,
            "query A { crmIntegrations { id } } query A { crmIntegrations { name } }",
            operation_name="A",
            expect={VALIDATION_FAILED},
        ),
        gql(
            "several-operations-without-operationName",
            cat,
            two,
            expect={VALIDATION_FAILED},
            xfail=None,
        ),
        gql(
            "subscription",
            cat,
            "subscription { crmIntegrations { id } }",
            expect={VALIDATION_FAILED},
        ),
        gql(
            "unknown-operation-type",
            cat,
            "upsert { crmIntegrations { id } }",
            expect={PARSE_FAILED},
        ),
        gql("empty-selection", cat, "{}", expect={PARSE_FAILED}, xfail=None),
        gql(
            "unknown-mutation",
            cat,
            'mutation { dropDatabase(name: "crm") }',
            expect={VALIDATION_FAILED},
        ),
        gql("unknown-query-field", cat, "{ users { password } }", expect={VALIDATION_FAILED}),
        gql(
            "introspection-type-without-name",
            cat,
            "{ __type { name } }",
            expect={VALIDATION_FAILED},
        ),
        Case(
            "batch-item-unknown-operationName",
            cat,
            400,
            codes(BAD_REQUEST),
            json=[{"query": "query A { crmIntegrations { id } }", "operationName": "B"}],
        ),
        get(
            "GET-operationName-unknown",
            cat,
            {"query": "query A { crmIntegrations { id } }", "operationName": "B"},
            expect={BAD_REQUEST},
            status=400,
        ),
        get("GET-query-empty", cat, {"query": ""}, expect={BAD_REQUEST}, status=400),
        Case(
            "GET-without-query-asking-json",
            cat,
            400,
            codes(BAD_REQUEST),
            method="GET",
            headers={**AUTH, "Accept": "application/json"},
        ),
    ]


def batch_over_cap_cases() -> list[Case]:
    cat = "batch-over-cap"
    over = MAX_OPERATIONS + 1
    query = {"query": "{ crmIntegrations { id } }"}
    mutation = {"query": DEFAULT, "variables": DEFAULT_VARS}
    return [
        Case(f"queries-{over}", cat, 400, codes(BATCH_TOO_LARGE), json=[query] * over),
        Case(f"valid-mutations-{over}", cat, 400, codes(BATCH_TOO_LARGE), json=[mutation] * over),
        Case("queries-200", cat, 400, codes(BATCH_TOO_LARGE), json=[query] * 200),
        Case(
            "typename-20000",
            cat,
            400,
            codes(BATCH_TOO_LARGE),
            json=[{"query": "{__typename}"}] * 20_000,
        ),
        Case(f"empty-objects-{over}", cat, 400, codes(BATCH_TOO_LARGE), json=[{}] * over),
        Case(f"ints-{over}", cat, 400, codes(BATCH_TOO_LARGE), json=[1] * over),
        Case(
            f"mixed-{over}",
            cat,
            400,
            codes(BATCH_TOO_LARGE),
            json=[mutation] * MAX_OPERATIONS + [{"query": 5}],
        ),
    ]


def get_mutation_cases() -> list[Case]:
    cat = "get-mutations"
    cases = []
    for name, (doc, good) in ALL_MUTATIONS.items():
        cases.append(
            get(
                f"GET/{name}",
                cat,
                {"query": doc, "variables": json.dumps(good)},
                expect={METHOD_NOT_ALLOWED},
                status=405,
            )
        )
    cases += [
        get(
            "GET/mutation-selected-by-operationName",
            cat,
            {
                "query": 'query Q { crmIntegrations { id } } mutation M { deleteCrmIntegration(id: "x") }',
                "operationName": "M",
            },
            expect={METHOD_NOT_ALLOWED},
            status=405,
        ),
        get(
            "GET/mutation-literal-args",
            cat,
            {"query": f'mutation {{ deleteCrmIntegration(id: "{HUBSPOT}") }}'},
            expect={METHOD_NOT_ALLOWED},
            status=405,
        ),
        get(
            "GET/mutation-with-bad-variables",
            cat,
            {"query": DELETE, "variables": "{bad"},
            expect={BAD_REQUEST},
            status=400,
        ),
        get(
            "GET/variables-list",
            cat,
            {"query": "{ crmIntegrations { id } }", "variables": "[1]"},
            expect={BAD_REQUEST},
            status=400,
        ),
        get(
            "GET/extensions-string",
            cat,
            {"query": "{ crmIntegrations { id } }", "extensions": '"x"'},
            expect={BAD_REQUEST},
            status=400,
        ),
    ]
    for method in ("PUT", "PATCH", "DELETE", "OPTIONS"):
        cases.append(
            Case(
                f"{method}/graphql",
                cat,
                405,
                codes(METHOD_NOT_ALLOWED),
                method=method,
                json={"query": DELETE, "variables": DELETE_VARS},
            )
        )
    return cases


def auth_cases() -> list[Case]:
    cat = "auth"
    mutation = {"query": DELETE, "variables": DELETE_VARS}
    headers = {
        "missing": {},
        "empty": {"Authorization": ""},
        "wrong-key": {"Authorization": "Bearer not-a-key"},
        "basic": {"Authorization": "Basic YWNtZTprZXk="},
        "bearer-only": {"Authorization": "Bearer"},
        "bearer-blank": {"Authorization": "Bearer    "},
        "key-without-scheme": {"Authorization": KEYS["acme"]},
        "key-prefix": {"Authorization": "Bearer " + KEYS["acme"][:-1]},
        "key-and-suffix": {"Authorization": "Bearer " + KEYS["acme"] + "x"},
        "two-keys": {"Authorization": f"Bearer {KEYS['acme']},{KEYS['globex']}"},
        "nul-in-key": {"Authorization": "Bearer " + KEYS["acme"] + "%00"},
    }
    cases = [
        Case(f"valid-mutation/{k}", cat, 401, codes(UNAUTHENTICATED), headers=v, json=mutation)
        for k, v in headers.items()
    ]
    cases += [
        raw(
            "malformed-json-without-a-key",
            cat,
            b"{bad",
            status=401,
            expect={UNAUTHENTICATED},
            headers={"Authorization": ""},
        ),
        Case(
            "batch-over-cap-without-a-key",
            cat,
            401,
            codes(UNAUTHENTICATED),
            headers={},
            json=[mutation] * 100,
        ),
        Case(
            "GET-mutation-without-a-key",
            cat,
            401,
            codes(UNAUTHENTICATED),
            method="GET",
            headers={},
            params={"query": DELETE, "variables": json.dumps(DELETE_VARS)},
        ),
        Case(
            "PUT-without-a-key",
            cat,
            401,
            codes(UNAUTHENTICATED),
            method="PUT",
            headers={},
            json=mutation,
        ),
        Case(
            "GET-query-without-a-key",
            cat,
            401,
            codes(UNAUTHENTICATED),
            method="GET",
            headers={"Accept": "text/html"},
            params={"query": "{ crmIntegrations { id } }"},
        ),
    ]
    return cases


def routing_cases() -> list[Case]:
    cat = "routing"
    return [
        Case("unknown-path", cat, 404, codes(NOT_FOUND), method="GET", path="/admin"),
        Case(
            "graphql-trailing-slash",
            cat,
            404,
            codes(NOT_FOUND),
            path="/graphql/",
            json={"query": "{ crmIntegrations { id } }"},
        ),
        Case(
            "graphql-upper-case",
            cat,
            404,
            codes(NOT_FOUND),
            path="/GRAPHQL",
            json={"query": "{ crmIntegrations { id } }"},
        ),
        Case(
            "path-traversal",
            cat,
            404,
            codes(NOT_FOUND),
            method="GET",
            path="/graphiql/..%2f..%2fetc%2fpasswd",
        ),
        Case(
            "POST-healthz",
            cat,
            405,
            codes(METHOD_NOT_ALLOWED),
            path="/healthz",
            json={"query": "{ crmIntegrations { id } }"},
        ),
    ]


def build() -> list[Case]:
    cases = [
        *bad_id_cases(),
        *read_side_cases(),
        *wrong_type_cases(),
        *unknown_enum_cases(),
        *batch_size_cases(),
        *malformed_json_cases(),
        *content_type_cases(),
        *huge_string_cases(),
        *deep_nesting_cases(),
        *alias_bomb_cases(),
        *oversized_document_cases(),
        *unknown_operation_cases(),
        *batch_over_cap_cases(),
        *get_mutation_cases(),
        *auth_cases(),
        *routing_cases(),
    ]
    # Every parse error currently comes back without a code.
    cases = [
        replace(c, xfail=None) if c.codes == {PARSE_FAILED} and not c.xfail else c for c in cases
    ]
    names = [c.name for c in cases]
    duplicates = {n for n in names if names.count(n) > 1}
    assert not duplicates, duplicates
    return cases


CASES = build()
