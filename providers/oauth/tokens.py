"""What a token refresh sends and gets back, and where the new tokens are kept.

``TokenEndpoint`` is a provider's token endpoint as two pure functions: the form to post, and
the reading of its answer (``providers/<crm>/oauth.py``). ``TokenStore`` is where credentials
live (the integration store in ``gql/store/integrations.py`` implements it; ``providers/``
never imports it). Secrets in here never reach ``repr`` or a log line.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from providers.domain import Connection, Credentials
from providers.errors import (
    ProviderError,
    RateLimited,
    ReauthorizationRequired,
    Unavailable,
    WireFormatError,
    retry_after_seconds,
)

if TYPE_CHECKING:
    from providers.base import ClientSettings


@dataclass(frozen=True)
class TokenRequest:
    url: str
    form: Mapping[str, str] = field(repr=False)  # holds the refresh token and client secret


@dataclass(frozen=True)
class TokenGrant:
    """A refresh's answer. ``refresh_token`` is ``None`` when the old one stays valid."""

    access_token: str = field(repr=False)
    refresh_token: str | None = field(default=None, repr=False)
    expires_in: float | None = None  # seconds; None when the provider does not say
    instance_url: str | None = None  # Salesforce: where the org's API now answers


class TokenEndpoint(Protocol):
    provider: str
    rotates: bool  # a refresh token is single-use: a token request is never repeated blindly

    def request(self, settings: ClientSettings, connection: Connection) -> TokenRequest: ...

    def grant(
        self, settings: ClientSettings, status: int, headers: Mapping[str, str], body: Any
    ) -> TokenGrant:
        """The grant in a 2xx answer; else raises from the error tree (a permanent refusal
        as ``ReauthorizationRequired``)."""
        ...


@dataclass(frozen=True)
class StoredAuth:
    """An integration's credentials as stored now, and whether a person must sign in again."""

    credentials: Credentials = field(repr=False)
    instance_url: str | None
    reauthorization_required: bool = False


class TokenStore(Protocol):
    async def current(self, integration_id: str) -> StoredAuth | None:
        """The stored credentials (``None``: the integration is gone)."""
        ...

    async def replace(
        self,
        integration_id: str,
        previous: Credentials,
        new: Credentials,
        instance_url: str | None,
    ) -> bool:
        """Store ``new`` (encrypted) in one transaction, only if ``previous`` is still what is
        stored; ``False`` when someone changed them meanwhile."""
        ...

    async def refused(self, integration_id: str, previous: Credentials) -> None:
        """Mark the integration ``REAUTHORIZATION_REQUIRED``, unless its credentials changed
        since ``previous`` was read."""
        ...


def refresh_form(connection: Connection, **extra: str) -> dict[str, str]:
    """The RFC 6749 refresh request every provider here takes (section 6), plus ``extra``."""
    creds = connection.credentials
    return {
        "grant_type": "refresh_token",
        "client_id": creds.client_id or "",
        "client_secret": creds.client_secret or "",
        "refresh_token": creds.refresh_token or "",
        **extra,
    }


def oauth_grant(
    provider: str, status: int, headers: Mapping[str, str], body: Any, *, permanent: bool
) -> TokenGrant:
    """Read an RFC 6749 token answer (``access_token``, ``refresh_token``, ``expires_in``).

    ``permanent`` is the provider's own verdict on a non-2xx answer: its refresh token or
    client will never be accepted again. Other failures are transient (429, 5xx) or garbled.
    Error bodies carry no secrets, but they are not kept on the error all the same.
    """
    if 200 <= status < 300:
        token = body.get("access_token") if isinstance(body, Mapping) else None
        if not isinstance(token, str) or not token:
            raise WireFormatError(
                f"{provider} token endpoint answered without an access_token",
                provider=provider,
                status=status,
            )
        refresh, instance = body.get("refresh_token"), body.get("instance_url")
        return TokenGrant(
            access_token=token,
            refresh_token=refresh if isinstance(refresh, str) and refresh else None,
            expires_in=_seconds(body.get("expires_in")),
            instance_url=instance if isinstance(instance, str) and instance else None,
        )
    raise token_refusal(provider, status, headers, body, permanent=permanent)


def token_refusal(
    provider: str, status: int, headers: Mapping[str, str], body: Any, *, permanent: bool
) -> ProviderError:
    message = _message(body) or f"HTTP {status}"
    text = f"{provider} refused the token refresh: {message}"
    if permanent:
        return ReauthorizationRequired(text, provider=provider, status=status)
    if status == 429:
        return RateLimited(
            text, provider=provider, status=status, retry_after=retry_after_seconds(headers)
        )
    if status >= 500:
        return Unavailable(text, provider=provider, status=status)
    return WireFormatError(text, provider=provider, status=status)


def _seconds(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    try:
        seconds = float(value)
    except (TypeError, ValueError):
        return None
    return seconds if 0 <= seconds < 10 * 365 * 86_400 else None


def _message(body: Any) -> str | None:
    if not isinstance(body, Mapping):
        return None
    for name in ("error_description", "message", "error", "status"):
        value = body.get(name)
        if isinstance(value, str) and value:
            return value[:200]
    return None


__all__ = [
    "StoredAuth",
    "TokenEndpoint",
    "TokenGrant",
    "TokenRequest",
    "TokenStore",
    "oauth_grant",
    "refresh_form",
    "token_refusal",
]
