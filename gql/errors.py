"""GraphQL error codes, and the one place errors get their ``extensions``.

Resolvers raise ``ApiError`` (our own refusals) or let a ``ProviderError`` through; ``coded``
turns each into a GraphQL error with ``extensions.code`` (and the provider's message and request
id), gives parse, validation and variable errors a code too, and masks anything unexpected so
no stack trace or internal message reaches a caller. The view applies it to every result.
"""

from __future__ import annotations

import enum
import logging
from typing import Any

from graphql import GraphQLError

from providers import errors as pe

log = logging.getLogger(__name__)


class Code(enum.StrEnum):
    BAD_USER_INPUT = "BAD_USER_INPUT"
    NOT_FOUND = "NOT_FOUND"
    UNAUTHENTICATED = "UNAUTHENTICATED"
    REAUTHORIZATION_REQUIRED = "REAUTHORIZATION_REQUIRED"
    FORBIDDEN = "FORBIDDEN"
    RATE_LIMITED = "RATE_LIMITED"
    ALREADY_EXISTS = "ALREADY_EXISTS"
    CONFLICT = "CONFLICT"
    UNSUPPORTED_PROVIDER = "UNSUPPORTED_PROVIDER"
    UNSUPPORTED_ASSOCIATION = "UNSUPPORTED_ASSOCIATION"
    INTEGRATION_DISABLED = "INTEGRATION_DISABLED"
    IDEMPOTENCY_KEY_REUSED = "IDEMPOTENCY_KEY_REUSED"
    IDEMPOTENCY_KEY_IN_PROGRESS = "IDEMPOTENCY_KEY_IN_PROGRESS"
    UPSTREAM_ERROR = "UPSTREAM_ERROR"
    UPSTREAM_UNAVAILABLE = "UPSTREAM_UNAVAILABLE"
    # Refusals of the HTTP request itself, before GraphQL runs (gql/http_guard.py).
    BAD_REQUEST = "BAD_REQUEST"
    BATCH_TOO_LARGE = "BATCH_TOO_LARGE"
    PAYLOAD_TOO_LARGE = "PAYLOAD_TOO_LARGE"
    METHOD_NOT_ALLOWED = "METHOD_NOT_ALLOWED"
    UNSUPPORTED_MEDIA_TYPE = "UNSUPPORTED_MEDIA_TYPE"
    GRAPHQL_PARSE_FAILED = "GRAPHQL_PARSE_FAILED"
    GRAPHQL_VALIDATION_FAILED = "GRAPHQL_VALIDATION_FAILED"
    # Automatic persisted queries (gql/persisted_queries.py).
    PERSISTED_QUERY_NOT_FOUND = "PERSISTED_QUERY_NOT_FOUND"
    PERSISTED_QUERY_NOT_SUPPORTED = "PERSISTED_QUERY_NOT_SUPPORTED"
    PERSISTED_QUERY_HASH_MISMATCH = "PERSISTED_QUERY_HASH_MISMATCH"
    PERSISTED_QUERY_NOT_REGISTERED = "PERSISTED_QUERY_NOT_REGISTERED"
    INTERNAL_SERVER_ERROR = "INTERNAL_SERVER_ERROR"


class ApiError(Exception):
    """A refusal of ours, with its code and any extra extensions."""

    def __init__(self, code: Code, message: str, **extensions: Any) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.extensions = extensions


def bad_input(message: str, **extensions: Any) -> ApiError:
    return ApiError(Code.BAD_USER_INPUT, message, **extensions)


# Provider error class -> code. The first matching class wins (subclasses first).
_PROVIDER_CODES: list[tuple[type[pe.ProviderError], Code]] = [
    (pe.AlreadyExists, Code.ALREADY_EXISTS),
    (pe.Unsupported, Code.UNSUPPORTED_ASSOCIATION),
    (pe.UnsupportedProvider, Code.UNSUPPORTED_PROVIDER),
    (pe.InvalidRequest, Code.BAD_USER_INPUT),
    (pe.ReauthorizationRequired, Code.REAUTHORIZATION_REQUIRED),
    (pe.AuthFailed, Code.UNAUTHENTICATED),
    (pe.NotFound, Code.NOT_FOUND),
    (pe.RateLimited, Code.RATE_LIMITED),
    (pe.Conflict, Code.CONFLICT),
    (pe.Unavailable, Code.UPSTREAM_UNAVAILABLE),
    (pe.WireFormatError, Code.UPSTREAM_ERROR),
]


def provider_code(exc: pe.ProviderError) -> Code:
    return next((c for t, c in _PROVIDER_CODES if isinstance(exc, t)), Code.UPSTREAM_ERROR)


def provider_extensions(exc: pe.ProviderError) -> dict[str, Any]:
    ext: dict[str, Any] = {"code": provider_code(exc).value, "provider": exc.provider}
    if isinstance(exc, pe.BadInput):
        ext["field"] = exc.field
    if exc.status is not None:
        ext["providerStatus"] = exc.status
    if exc.request_id:
        ext["requestId"] = exc.request_id
    if isinstance(exc, pe.RateLimited):
        ext["retryAfter"] = exc.retry_after
        ext["scope"] = exc.scope
    return ext


_MAX_MESSAGE = 500  # a message never echoes megabytes of a caller's input back


def _short(message: str) -> str:
    return message if len(message) <= _MAX_MESSAGE else message[:_MAX_MESSAGE] + "..."


# graphql-core's wording (3.2 and 3.3) when a variable's value does not fit its type.
_COERCION_WORDS = ("got invalid value", "has invalid value", "was not provided", "must not be null")


def _document_code(error: GraphQLError) -> Code:
    """The code of an error graphql-core raised about the document or the variables."""
    message = error.message
    if message.startswith("Syntax Error") or "Document contains more than" in message:
        return Code.GRAPHQL_PARSE_FAILED
    # Coercing a variable's value (not the document's use of variables) is the caller's input.
    if message.startswith("Variable '$") and any(words in message for words in _COERCION_WORDS):
        return Code.BAD_USER_INPUT
    if error.path:  # raised while executing a field, e.g. a null for a non-null argument
        return Code.BAD_USER_INPUT
    return Code.GRAPHQL_VALIDATION_FAILED


def _classified(error: GraphQLError) -> tuple[dict[str, Any], str] | None:
    """(extensions, message) the caller sees, or ``None`` for an unexpected error."""
    original = error.original_error
    if isinstance(original, ApiError):
        return {"code": original.code.value, **original.extensions}, original.message
    if isinstance(original, pe.ProviderError):
        return provider_extensions(original), original.message
    if original is None or isinstance(original, GraphQLError):
        # graphql-core's own errors (parse, validation, variable coercion); 3.3 wraps some
        # in another GraphQLError: the outer one has the message that names the variable.
        given = (
            {**(original.extensions or {}), **(error.extensions or {})}
            if original
            else (error.extensions or {})
        )
        ext = dict(given) if "code" in given else {"code": _document_code(error).value}
        return ext, error.message
    return None


def code_of(error: GraphQLError) -> str:
    """The ``extensions.code`` the caller will see for ``error`` (nothing logged)."""
    classified = _classified(error)
    return str(classified[0]["code"]) if classified else Code.INTERNAL_SERVER_ERROR.value


def coded(error: GraphQLError) -> GraphQLError:
    """The error as the caller sees it: with ``extensions.code``, masked if unexpected."""
    classified = _classified(error)
    if classified is None:
        log.error("unexpected error in %s", error.path, exc_info=error.original_error)
        classified = {"code": Code.INTERNAL_SERVER_ERROR.value}, "Unexpected error."
    ext, message = classified
    return GraphQLError(
        _short(message),
        nodes=error.nodes,
        source=error.source,
        positions=error.positions,
        path=error.path,
        original_error=None,
        extensions=ext,
    )
