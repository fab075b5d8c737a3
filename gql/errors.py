"""GraphQL error codes, and the one place errors get their ``extensions``.

Resolvers raise ``ApiError`` (our own refusals) or let a ``ProviderError`` through; the
``ErrorCodes`` extension turns each into a GraphQL error with ``extensions.code`` (and the
provider's message and request id), gives parse and validation errors a code too, and masks
anything unexpected so no stack trace or internal message reaches a caller.
"""

from __future__ import annotations

import enum
import logging
from collections.abc import Iterator
from typing import Any

from graphql import GraphQLError
from strawberry.extensions import SchemaExtension

from providers import errors as pe

log = logging.getLogger(__name__)


class Code(enum.StrEnum):
    BAD_USER_INPUT = "BAD_USER_INPUT"
    NOT_FOUND = "NOT_FOUND"
    UNAUTHENTICATED = "UNAUTHENTICATED"
    FORBIDDEN = "FORBIDDEN"
    RATE_LIMITED = "RATE_LIMITED"
    ALREADY_EXISTS = "ALREADY_EXISTS"
    CONFLICT = "CONFLICT"
    UNSUPPORTED_PROVIDER = "UNSUPPORTED_PROVIDER"
    UNSUPPORTED_ASSOCIATION = "UNSUPPORTED_ASSOCIATION"
    INTEGRATION_DISABLED = "INTEGRATION_DISABLED"
    IDEMPOTENCY_KEY_REUSED = "IDEMPOTENCY_KEY_REUSED"
    UPSTREAM_ERROR = "UPSTREAM_ERROR"
    UPSTREAM_UNAVAILABLE = "UPSTREAM_UNAVAILABLE"
    GRAPHQL_PARSE_FAILED = "GRAPHQL_PARSE_FAILED"
    GRAPHQL_VALIDATION_FAILED = "GRAPHQL_VALIDATION_FAILED"
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
    (pe.InvalidRequest, Code.BAD_USER_INPUT),
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
    if exc.status is not None:
        ext["providerStatus"] = exc.status
    if exc.request_id:
        ext["requestId"] = exc.request_id
    if isinstance(exc, pe.RateLimited):
        ext["retryAfter"] = exc.retry_after
        ext["scope"] = exc.scope
    return ext


def _coded(error: GraphQLError) -> GraphQLError:
    original = error.original_error
    if isinstance(original, ApiError):
        ext = {"code": original.code.value, **original.extensions}
        message = original.message
    elif isinstance(original, pe.ProviderError):
        ext, message = provider_extensions(original), original.message
    elif original is None:
        if error.extensions and "code" in error.extensions:
            return error
        # Parse errors arrive without a path; validation errors name the operation's nodes.
        syntax = error.message.startswith("Syntax Error")
        code = Code.GRAPHQL_PARSE_FAILED if syntax else Code.GRAPHQL_VALIDATION_FAILED
        if error.path or error.message.startswith("Variable '$"):
            code = Code.BAD_USER_INPUT
        ext, message = {"code": code.value}, error.message
    else:
        log.error("unexpected error in %s", error.path, exc_info=original)
        ext, message = {"code": Code.INTERNAL_SERVER_ERROR.value}, "Unexpected error."
    return GraphQLError(
        message,
        nodes=error.nodes,
        source=error.source,
        positions=error.positions,
        path=error.path,
        original_error=None,
        extensions=ext,
    )


class ErrorCodes(SchemaExtension):
    def on_operation(self) -> Iterator[None]:
        yield
        result = self.execution_context.result
        if result is not None and result.errors:
            result.errors = [_coded(e) for e in result.errors]
