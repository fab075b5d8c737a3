"""GraphQL over HTTP (graphql.github.io/graphql-over-http): the answer's media type and status.

A client that accepts ``application/graphql-response+json`` (at least as much as
``application/json``) gets it, and with it the spec's status codes: a request error (the
document did not parse or validate, a variable could not be coerced, a persisted query was
refused: nothing ran, so the answer has no ``data``) is a 4xx, a result with ``data`` a 200.
Anyone else (``application/json``, ``*/*``, no ``Accept``) gets ``application/json`` and a 200
for every GraphQL answer, as before.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from graphql import GraphQLError

from gql.errors import Code

GRAPHQL_RESPONSE = "application/graphql-response+json"
JSON = "application/json"
JSON_TYPES = frozenset({GRAPHQL_RESPONSE, JSON})

# Request errors whose status is not 400. The persisted-query protocol's retry signals answer
# 200 whatever the media type, as Apollo Server does: clients read them from a 2xx body.
_PERSISTED_QUERY_RETRY = frozenset(
    {Code.PERSISTED_QUERY_NOT_FOUND.value, Code.PERSISTED_QUERY_NOT_SUPPORTED.value}
)
_STATUS: dict[str, int] = {
    **dict.fromkeys(_PERSISTED_QUERY_RETRY, 200),
    Code.INTERNAL_SERVER_ERROR.value: 500,
}


def _quality(params: list[str]) -> float:
    for param in params:
        name, _, value = param.strip().partition("=")
        if name.strip().lower() == "q":
            try:
                return float(value)
            except ValueError:
                return 0.0
    return 1.0


def media_type(accept: str | None) -> str:
    """The media type to answer for an ``Accept`` header."""
    best: dict[str, float] = {}
    for item in (accept or "").split(","):
        kind, *params = item.split(";")
        kind = kind.strip().lower()
        if kind in JSON_TYPES:
            best[kind] = max(best.get(kind, 0.0), _quality(params))
    wanted = best.get(GRAPHQL_RESPONSE, 0.0)
    return GRAPHQL_RESPONSE if wanted > 0 and wanted >= best.get(JSON, 0.0) else JSON


def is_request_error(data: object, errors: list[GraphQLError] | None) -> bool:
    """No ``data`` and errors without a ``path``: nothing executed (field errors have paths)."""
    return data is None and bool(errors) and all(e.path is None for e in errors or ())


def _first_code(answer: Mapping[str, Any]) -> str | None:
    errors = answer.get("errors") or [{}]
    code: str | None = (errors[0].get("extensions") or {}).get("code")
    return code


def is_persisted_query_retry(answer: Mapping[str, Any]) -> bool:
    return _first_code(answer) in _PERSISTED_QUERY_RETRY


def status(answer: Mapping[str, Any]) -> int:
    """The status of a single answer under ``application/graphql-response+json``."""
    if "data" in answer:
        return 200
    return _STATUS.get(_first_code(answer) or "", 400)
