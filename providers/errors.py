"""The one error tree every provider client raises.

::

    ProviderError
    ├── AuthFailed          401, Salesforce INVALID_SESSION_ID
    │   └── ReauthorizationRequired   the refresh token was refused: a person must sign in again
    ├── NotFound            404, unknown record or association
    ├── RateLimited         429, Salesforce 403 REQUEST_LIMIT_EXCEEDED (retry_after, scope)
    ├── InvalidRequest      400 / 422: the provider refused what we sent
    │   ├── BadInput        our own check refused an input before any call (names the field)
    │   ├── AlreadyExists   HighLevel's 400 for a duplicate relation
    │   ├── Unsupported     a combination the provider cannot express (refused before any call)
    │   └── UnsupportedProvider   the provider has no such capability at all
    ├── Conflict            409: HubSpot refuses a whole batch for one conflicting item
    ├── Unavailable         5xx, timeouts, dropped connections (``ambiguous``: it may have acted)
    └── WireFormatError     a reply we cannot parse (malformed JSON, unexpected shape)

Each carries the provider, the HTTP status, the provider's own message and its request id
(HubSpot ``correlationId``, Salesforce ``Sforce-Call-Id``...). ``error_from_response`` is the
only place a provider's status and error body turn into one of these.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, Literal

RateScope = Literal["burst", "daily"]


class ProviderError(Exception):
    def __init__(
        self,
        message: str,
        *,
        provider: str,
        status: int | None = None,
        request_id: str | None = None,
        body: Any = None,
        code: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.provider = provider
        self.status = status
        self.request_id = request_id
        self.body = body
        self.code = code  # the provider's own error code (HubSpot category, Salesforce errorCode)


class AuthFailed(ProviderError):
    pass


class ReauthorizationRequired(AuthFailed):
    """The provider refused the stored refresh token for good (``invalid_grant``, revoked,
    HubSpot's ``BAD_REFRESH_TOKEN``): nothing is tried again until the credentials change."""


class NotFound(ProviderError):
    pass


class RateLimited(ProviderError):
    def __init__(
        self,
        message: str,
        *,
        retry_after: float | None = None,
        scope: RateScope = "burst",
        **kwargs: Any,
    ) -> None:
        super().__init__(message, **kwargs)
        self.retry_after = retry_after
        self.scope = scope


class InvalidRequest(ProviderError):
    pass


class AlreadyExists(InvalidRequest):
    pass


class Unsupported(InvalidRequest):
    pass


class UnsupportedProvider(InvalidRequest):
    pass


class BadInput(InvalidRequest):
    """An input a provider's rules refuse before any call; ``field`` names it as sent."""

    def __init__(self, message: str, *, field: str, provider: str) -> None:
        super().__init__(message, provider=provider)
        self.field = field


class Conflict(ProviderError):
    pass


class Unavailable(ProviderError):
    """No usable answer. ``ambiguous`` unless the request surely never reached the provider
    (a refused connection): after a 5xx, a timeout or a dropped connection it may have acted."""

    def __init__(self, message: str, *, ambiguous: bool = True, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.ambiguous = ambiguous


class WireFormatError(ProviderError):
    pass


# HighLevel answers a duplicate relation with a plain 400 (highlevel-api-docs issue #73).
_GHL_DUPLICATE = "duplicate relation"

_REQUEST_ID_HEADERS = ("x-hubspot-correlation-id", "sforce-call-id", "x-request-id")


def request_id_of(headers: Mapping[str, str], body: Any = None) -> str | None:
    """The provider's id for a call, from its headers or a HubSpot body's ``correlationId``."""
    lowered = {k.lower(): v for k, v in headers.items()}
    found = next((lowered[h] for h in _REQUEST_ID_HEADERS if h in lowered), None)
    if found is None and isinstance(body, Mapping) and isinstance(body.get("correlationId"), str):
        found = str(body["correlationId"])
    return found


def parse_json(raw: bytes) -> Any:
    """Decode a reply body; an empty body is ``None``."""
    if not raw.strip():
        return None
    return json.loads(raw)


def _message_and_id(provider: str, body: Any) -> tuple[str | None, str | None, str | None]:
    """(message, request id, provider error code) from a provider's error body."""
    if provider == "salesforce" and isinstance(body, list) and body and isinstance(body[0], dict):
        first = body[0]
        return str(first.get("message", "")), None, first.get("errorCode")
    if not isinstance(body, Mapping):
        return None, None, None
    message = body.get("message")
    if isinstance(message, list):  # HighLevel 422: a list of validation messages
        message = "; ".join(str(m) for m in message)
    code = body.get("policyName") or body.get("category") or body.get("errorCode")
    return (str(message) if message is not None else None), body.get("correlationId"), code


def retry_after_seconds(headers: Mapping[str, str]) -> float | None:
    """Seconds to wait from ``Retry-After``, else HubSpot/HighLevel interval headers."""
    value = headers.get("Retry-After")
    if value is not None:
        try:
            return max(0.0, float(value))
        except ValueError:
            return None
    # HubSpot does not promise Retry-After on 429: the rolling window is the fallback.
    for name in ("X-HubSpot-RateLimit-Interval-Milliseconds", "X-RateLimit-Interval-Milliseconds"):
        interval = headers.get(name)
        if interval is not None and interval.isdigit():
            return int(interval) / 1000
    return None


def error_from_response(
    provider: str, status: int, headers: Mapping[str, str], body: Any
) -> ProviderError:
    """Map a provider's non-success reply to the error tree (pure, table-tested)."""
    message, request_id, code = _message_and_id(provider, body)
    request_id = request_id or request_id_of(headers)
    kwargs: dict[str, Any] = {
        "provider": provider,
        "status": status,
        "request_id": request_id,
        "body": body,
        "code": code if isinstance(code, str) else None,
    }
    text = message or f"{provider} answered HTTP {status}"
    if status == 429 or code == "REQUEST_LIMIT_EXCEEDED":
        daily = code in ("DAILY", "REQUEST_LIMIT_EXCEEDED")
        return RateLimited(
            text,
            retry_after=None if code == "REQUEST_LIMIT_EXCEEDED" else retry_after_seconds(headers),
            scope="daily" if daily else "burst",
            **kwargs,
        )
    if status == 401 or code == "INVALID_SESSION_ID":
        return AuthFailed(text, **kwargs)
    if status == 403:
        return AuthFailed(text, **kwargs)
    if status == 404:
        return NotFound(text, **kwargs)
    if status == 409:
        return Conflict(text, **kwargs)
    if provider == "leadconnector" and status == 400 and _GHL_DUPLICATE in text:
        return AlreadyExists(text, **kwargs)
    if status in (400, 405, 413, 415, 422):
        return InvalidRequest(text, **kwargs)
    if status >= 500:
        return Unavailable(text, **kwargs)
    return WireFormatError(f"unexpected HTTP {status} from {provider}: {text}", **kwargs)
