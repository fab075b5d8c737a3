"""Validate recorded emulator calls against the official OpenAPI specs in ../shared/specs.

The specs are not in the repository (HubSpot's may not be redistributed, and HighLevel's
repository grants no licence): they are read from ``../shared/specs`` beside the checkout, or
``CRMGRAPH_SPECS_DIR``. Without them ``SPECS_PRESENT`` is false, the checks that need them skip
(``tests/conftest.py`` counts them and prints one line saying how to enable them), and nothing
else changes. ``CRMGRAPH_REQUIRE_SPECS=1`` (CI) makes missing specs a failure instead.

`request_errors(call)` checks the request side of a `RecordedCall` (method, path, query, headers,
JSON body, security) with openapi-core and returns readable errors (empty when valid, or when no
spec covers the call: Salesforce has no OpenAPI spec). `validate_call(call)` raises instead.

The spec is picked by path: /crm/v3/associations -> HubSpot associations v3,
/crm/v4/associations/{from}/{to}/labels -> HubSpot associations schema v4 (labels),
other /crm/v4 paths -> HubSpot associations v4; the 2026-09 paths likewise (labels -> the
2026-09 associations schema, /crm/associations/2026-09 and /crm/objects/2026-09/.../associations
-> associations 2026-09); /associations -> HighLevel associations.json
(apps/v3/associations-v3.json when the call sends `Version: v3`), /contacts and /opportunities
-> HighLevel contacts.json and opportunities.json.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from openapi_core import Config, OpenAPI
from openapi_core.datatypes import RequestParameters
from openapi_core.security.exceptions import SecurityProviderError
from openapi_core.security.factories import SecurityProviderFactory
from openapi_core.security.providers import BaseProvider
from werkzeug.datastructures import Headers, ImmutableMultiDict

from emulators.common import RecordedCall

# /work/main/tests/spec_validation.py -> /work/shared/specs
SPECS_DIR = Path(
    os.environ.get("CRMGRAPH_SPECS_DIR")
    or Path(__file__).resolve().parents[1].parent / "shared" / "specs"
)
# The files every check here reads; all present, or the checks skip.
REQUIRED_SPECS = (
    "hubspot/associations-v3.openapi.json",
    "hubspot/associations-v4.openapi.json",
    "hubspot/associations-schema-v4-labels.openapi.json",
    "gohighlevel/apps/associations.json",
    "gohighlevel/apps/v3/associations-v3.json",
)
SPECS_PRESENT = all((SPECS_DIR / f).is_file() for f in REQUIRED_SPECS)
HOW_TO_ENABLE = (
    f"no OpenAPI specs in {SPECS_DIR}: put the shared specs folder at ../shared/specs beside "
    "the checkout, or set CRMGRAPH_SPECS_DIR, to run them"
)
HUBSPOT_HOST = "https://api.hubapi.com"
HIGHLEVEL_HOST = "https://services.leadconnectorhq.com"
_LABELS_PATH = re.compile(r"^/crm/v4/associations/[^/]+/[^/]+/labels(/|$)")
_DATED_LABELS_PATH = re.compile(r"^/crm/associations/2026-09/[^/]+/[^/]+/labels(/|$)")
_DATED_OBJECT_ASSOCIATION = re.compile(r"^/crm/objects/2026-09/[^/]+/[^/]+/associations/")
_DATED_OBJECTS_READ = re.compile(r"^/crm/objects/2026-09/[^/]+/batch/read$")


class SpecValidationError(AssertionError):
    def __init__(self, call: RecordedCall, errors: list[str]) -> None:
        super().__init__(f"{call.method} {call.path} violates its spec: " + "; ".join(errors))
        self.errors = errors


class _BearerProvider(BaseProvider):
    """HubSpot declares its auth as oauth2, which openapi-core cannot check (it only warns,
    "Unsupported scheme type", an error under filterwarnings=error). Private-app and OAuth
    tokens are both sent as `Authorization: Bearer`, so check that."""

    def __call__(self, parameters: RequestParameters) -> Any:
        scheme, _, token = str(parameters.header.get("Authorization", "")).partition(" ")
        if scheme.lower() != "bearer" or not token:
            raise SecurityProviderError("Missing bearer token.")
        return token


class _SecurityProviders(SecurityProviderFactory):
    PROVIDERS = {**SecurityProviderFactory.PROVIDERS, "oauth2": _BearerProvider}


def _patch_highlevel(spec: dict[str, Any]) -> None:
    """Narrow fixes for defects of the HighLevel spec that break loading or real requests."""
    for path, operations in spec.get("paths", {}).items():
        for operation in operations.values():
            if not isinstance(operation, dict):
                continue
            # contacts.json: POST /contacts/bulk/tags/update/{type} never declares {type},
            # which openapi-core refuses to load.
            declared = {
                p.get("name") for p in operation.get("parameters", []) if p.get("in") == "path"
            }
            for name in re.findall(r"{([^}]+)}", path):
                if name not in declared:
                    operation.setdefault("parameters", []).append(
                        {"name": name, "in": "path", "required": True, "schema": {"type": "string"}}
                    )
            for parameter in operation.get("parameters", []):
                # GET /associations/objectKey/{objectKey} declares its path parameter
                # required: false, which OpenAPI 3.0 forbids: the spec would not load.
                if parameter.get("in") == "path":
                    parameter["required"] = True
    for scheme in spec.get("components", {}).get("securitySchemes", {}).values():
        # http/bearer schemes also carry apiKey-only "name"/"in" keys (invalid in OAS 3.0).
        if scheme.get("type") == "http":
            scheme.pop("name", None)
            scheme.pop("in", None)
    for schema in spec.get("components", {}).get("schemas", {}).values():
        # Labels, object keys and associationType are typed `object` but are strings in
        # practice (../shared/specs/README.md), so a real request would be refused.
        for name, prop in schema.get("properties", {}).items():
            if prop.get("type") == "object" and (
                name.endswith(("ObjectLabel", "ObjectKey")) or name == "associationType"
            ):
                prop["type"] = "string"


@cache
def _openapi(relative: str) -> OpenAPI:
    path = SPECS_DIR / relative
    spec = json.loads(path.read_text())
    if relative.startswith("gohighlevel/"):
        _patch_highlevel(spec)
    # base_uri lets the HighLevel $refs to ../common/common-schemas.json resolve. The v3 copy
    # keeps its common schemas in apps/v3/common/, one level below where its "../common/"
    # points (apps/common/ does not exist), so resolve it as if it sat one directory deeper.
    base = path.parent / "v3-refs" / path.name if "/v3/" in relative else path
    config = Config(security_provider_factory=_SecurityProviders())
    return OpenAPI.from_dict(spec, config=config, base_uri=base.as_uri())


def spec_for(call: RecordedCall) -> tuple[str, str] | None:
    """(spec file relative to SPECS_DIR, server URL) for a call, None when no spec applies."""
    if call.path.startswith("/crm/v3/associations/"):
        return "hubspot/associations-v3.openapi.json", HUBSPOT_HOST
    if _LABELS_PATH.match(call.path):
        return "hubspot/associations-schema-v4-labels.openapi.json", HUBSPOT_HOST
    if call.path.startswith("/crm/v3/objects/"):
        return "hubspot/objects-v3.openapi.json", HUBSPOT_HOST
    if _DATED_OBJECTS_READ.match(call.path):
        return "hubspot/objects-2026-09.openapi.json", HUBSPOT_HOST
    if call.path.startswith(("/crm/v4/associations/", "/crm/v4/objects/")):
        return "hubspot/associations-v4.openapi.json", HUBSPOT_HOST
    if _DATED_LABELS_PATH.match(call.path):
        return "hubspot/associations-schema-2026-09.openapi.json", HUBSPOT_HOST
    if call.path.startswith("/crm/associations/2026-09/") or _DATED_OBJECT_ASSOCIATION.match(
        call.path
    ):
        return "hubspot/associations-2026-09.openapi.json", HUBSPOT_HOST
    if call.path == "/associations" or call.path.startswith("/associations/"):
        if call.header("Version") == "v3":
            return "gohighlevel/apps/v3/associations-v3.json", HIGHLEVEL_HOST
        return "gohighlevel/apps/associations.json", HIGHLEVEL_HOST
    for app in ("contacts", "opportunities"):
        if call.path.startswith(f"/{app}/"):
            return f"gohighlevel/apps/{app}.json", HIGHLEVEL_HOST
    return None


@dataclass
class RecordedRequest:
    """openapi-core request adapter for a RecordedCall."""

    call: RecordedCall
    host_url: str
    parameters: RequestParameters = field(init=False)

    def __post_init__(self) -> None:
        self.parameters = RequestParameters(
            query=ImmutableMultiDict(self.call.query),
            header=Headers(self.call.headers),
        )

    @property
    def path(self) -> str:
        return self.call.path

    @property
    def method(self) -> str:
        return self.call.method.lower()

    @property
    def body(self) -> bytes | None:
        return self.call.raw_body or None

    @property
    def content_type(self) -> str:
        return (self.call.header("Content-Type") or "").lower()


def _describe(error: BaseException) -> str:
    parts = [f"{type(error).__name__}: {error}"]
    cause = error.__cause__
    while cause is not None:
        details = getattr(cause, "schema_errors", None)
        if details:
            parts += [getattr(d, "message", str(d)) for d in details]
        else:
            parts.append(f"{type(cause).__name__}: {cause}")
        cause = cause.__cause__
    return " / ".join(parts)


def request_errors(call: RecordedCall) -> list[str]:
    target = spec_for(call)
    if target is None:
        return []
    relative, host = target
    openapi = _openapi(relative)
    return [_describe(e) for e in openapi.iter_request_errors(RecordedRequest(call, host))]


def validate_call(call: RecordedCall) -> None:
    errors = request_errors(call)
    if errors:
        raise SpecValidationError(call, errors)
