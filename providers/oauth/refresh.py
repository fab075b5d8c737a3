"""Refresh an integration's OAuth token: before it expires, or once after a 401.

The order inside the per-integration lock is what keeps a rotating refresh token from being
used twice: re-read the stored credentials (another call, or another replica, may have
refreshed while this one waited), refresh only if what is stored still needs it, then store
the new tokens in one conditional write. A permanent refusal marks the integration
``REAUTHORIZATION_REQUIRED`` and is remembered: no call and no refresh is tried for it again
until its credentials are updated, so a revoked app does not set off a storm of refreshes.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from providers.domain import Connection, Credentials, CrmProvider
from providers.errors import AuthFailed, ReauthorizationRequired, Unavailable
from providers.oauth.lock import MemoryRefreshLock, RefreshLock
from providers.oauth.tokens import StoredAuth, TokenEndpoint, TokenGrant, TokenStore

log = logging.getLogger(__name__)

Obtain = Callable[[Connection], Awaitable[TokenGrant]]


def _now() -> datetime:
    return datetime.now(UTC)


def can_refresh(credentials: Credentials) -> bool:
    return bool(credentials.refresh_token and credentials.client_id and credentials.client_secret)


class TokenRefresher:
    """Single-flight token refresh per integration, through ``store`` and ``lock``.

    ``endpoints`` are the providers' token endpoints (``providers.registry.TOKEN_ENDPOINTS``).

    ``margin_seconds`` before ``expires_at`` a token counts as due: refreshed before the next
    call rather than refused by the provider in the middle of a batch.
    """

    def __init__(
        self,
        store: TokenStore,
        endpoints: Mapping[CrmProvider, TokenEndpoint],
        lock: RefreshLock | None = None,
        *,
        margin_seconds: float = 300.0,
        clock: Callable[[], datetime] = _now,
    ) -> None:
        self.store = store
        self.endpoints = endpoints
        self.lock: RefreshLock = lock or MemoryRefreshLock()
        self.margin = timedelta(seconds=margin_seconds)
        self._clock = clock

    def due(self, credentials: Credentials) -> bool:
        """A token to refresh before it is used: it expires within the margin."""
        expires = credentials.expires_at
        return (
            can_refresh(credentials)
            and expires is not None
            and expires - self.margin <= (self._clock())
        )

    def expired(self, credentials: Credentials) -> bool:
        expires = credentials.expires_at
        return expires is not None and expires <= self._clock()

    async def refresh(
        self, connection: Connection, obtain: Obtain, *, rejected: str | None = None
    ) -> Connection:
        """The connection with a usable token: the stored one if another call refreshed it
        meanwhile, else a new one from ``obtain`` (the provider's token endpoint).

        ``rejected`` is the access token a provider just answered 401 to; ``None`` for a
        refresh before expiry.
        """
        try:
            return await self._refresh(connection, obtain, rejected)
        except TimeoutError as exc:  # a shared lock not free in time: another replica is slow
            raise Unavailable(
                f"the {connection.provider.value} token refresh did not get its turn in time",
                provider=connection.provider.value,
            ) from exc

    async def _refresh(
        self, connection: Connection, obtain: Obtain, rejected: str | None
    ) -> Connection:
        integration_id = connection.integration_id
        async with self.lock.hold(integration_id):
            stored = await self._stored(connection)
            creds = stored.credentials
            in_hand = rejected or connection.credentials.access_token
            if creds.access_token != in_hand and not self.due(creds):
                return self._with(connection, stored)  # refreshed by someone else meanwhile
            if not can_refresh(creds):
                raise AuthFailed(
                    f"{connection.provider.value} refused the token and no refresh token, "
                    "client id and client secret are stored",
                    provider=connection.provider.value,
                    status=401,
                )
            try:
                grant = await obtain(self._with(connection, stored))
            except ReauthorizationRequired:
                await self.store.refused(integration_id, creds)
                log.warning(
                    "%s refused the refresh token of integration %s: marked "
                    "REAUTHORIZATION_REQUIRED",
                    connection.provider.value,
                    integration_id,
                )
                raise
            new = replace(
                creds,
                access_token=grant.access_token,
                refresh_token=grant.refresh_token or creds.refresh_token,
                expires_at=(
                    self._clock() + timedelta(seconds=grant.expires_in)
                    if grant.expires_in is not None
                    else None
                ),
            )
            instance_url = grant.instance_url or stored.instance_url
            if not await self.store.replace(integration_id, creds, new, instance_url):
                # The credentials were updated by hand while we refreshed: theirs win.
                return self._with(connection, await self._stored(connection))
            log.info(
                "refreshed the %s token of integration %s",
                connection.provider.value,
                integration_id,
            )
            return self._with(connection, StoredAuth(new, instance_url))

    async def _stored(self, connection: Connection) -> StoredAuth:
        stored = await self.store.current(connection.integration_id)
        if stored is None:
            raise AuthFailed(
                "the integration was deleted", provider=connection.provider.value, status=401
            )
        if stored.reauthorization_required:
            raise ReauthorizationRequired(
                f"{connection.provider.value} refused this integration's refresh token: "
                "update its credentials with updateCrmIntegration",
                provider=connection.provider.value,
            )
        return stored

    @staticmethod
    def _with(connection: Connection, stored: StoredAuth) -> Connection:
        return replace(
            connection,
            credentials=stored.credentials,
            instance_url=stored.instance_url or connection.instance_url,
        )


__all__ = ["TokenRefresher", "can_refresh"]
