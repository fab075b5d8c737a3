"""The OAuth side of the emulators: token endpoints that issue expiring access tokens.

Each emulator serves its provider's refresh endpoint (HubSpot ``POST /oauth/v1/token``,
HighLevel ``POST /oauth/token``, Salesforce ``POST /services/oauth2/token``), form-encoded as
the providers document it, with their answer and refusal shapes (``emulators/hubspot.py``,
``leadconnector.py``, ``salesforce.py`` format them). What they share is kept here:

* ``OAuthApp`` is the registered OAuth client: its id and secret, the refresh tokens it
  accepts, whether they rotate (a rotated token is refused from then on, as HighLevel and
  Salesforce do), the lifetime of the access tokens it issues, and counters for the tests.
* An issued access token joins the emulator's accepted tokens until ``lifetime_seconds`` on
  the emulator's clock; the gates refuse it afterwards (``EmulatorState.accepts``).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING

from aiohttp import web

if TYPE_CHECKING:
    from emulators.common import EmulatorState


class Refusal(StrEnum):
    BAD_REQUEST = "bad_request"  # not a form, or grant_type is not refresh_token
    BAD_CLIENT = "bad_client"  # unknown client_id, or the wrong secret
    BAD_GRANT = "bad_grant"  # unknown, revoked or already rotated refresh token


@dataclass(frozen=True)
class Issued:
    access_token: str
    refresh_token: str  # the next one when rotating, else the one presented
    expires_in: int
    rotated: bool


@dataclass
class OAuthApp:
    client_id: str = "emulated-client-id"
    client_secret: str = "emulated-client-secret"
    refresh_tokens: set[str] = field(default_factory=set)  # accepted now
    rotate: bool = False
    lifetime_seconds: int = 1800
    refreshes: int = 0  # tokens issued
    refused: list[Refusal] = field(default_factory=list)
    presented: list[str] = field(default_factory=list)  # refresh tokens sent, in order
    spent: set[str] = field(default_factory=set)  # rotated away: a second use is refused

    def new_refresh_token(self) -> str:
        token = f"emu-rt-{secrets.token_hex(12)}"
        self.refresh_tokens.add(token)
        return token

    def revoke_all(self) -> None:
        """The user disconnected the app: every refresh token stops working."""
        self.spent |= self.refresh_tokens
        self.refresh_tokens.clear()

    async def exchange(self, state: EmulatorState, request: web.Request) -> Issued | Refusal:
        """Check a ``grant_type=refresh_token`` form and issue an access token, or refuse."""
        if request.content_type != "application/x-www-form-urlencoded":
            return self._refuse(Refusal.BAD_REQUEST)
        form = await request.post()
        if form.get("grant_type") != "refresh_token":
            return self._refuse(Refusal.BAD_REQUEST)
        if form.get("client_id") != self.client_id or form.get("client_secret") != (
            self.client_secret
        ):
            return self._refuse(Refusal.BAD_CLIENT)
        presented = str(form.get("refresh_token", ""))
        self.presented.append(presented)
        if presented not in self.refresh_tokens:
            return self._refuse(Refusal.BAD_GRANT)
        refresh = presented
        if self.rotate:
            self.refresh_tokens.discard(presented)
            self.spent.add(presented)
            refresh = self.new_refresh_token()
        access = f"emu-at-{secrets.token_hex(12)}"
        state.tokens.add(access)
        state.token_expiry[access] = state.clock() + self.lifetime_seconds
        self.refreshes += 1
        return Issued(access, refresh, self.lifetime_seconds, self.rotate)

    def _refuse(self, why: Refusal) -> Refusal:
        self.refused.append(why)
        return why


__all__ = ["Issued", "OAuthApp", "Refusal"]
