"""HubSpot's OAuth token endpoint: refreshing an app's access token.

https://developers.hubspot.com/docs/api/oauth/refresh-access-token
``POST /oauth/v1/token``, form-encoded ``grant_type=refresh_token``, ``client_id``,
``client_secret``, ``refresh_token``; answers ``{token_type, refresh_token, access_token,
expires_in}`` (30 minutes). Refresh tokens do not rotate. A refused refresh is a 400 whose
``status`` names the reason (``BAD_REFRESH_TOKEN``, ``BAD_CLIENT_ID``...), not OAuth's
``invalid_grant``; every 400 means the stored token or client will not work again.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from providers.base import ClientSettings
from providers.domain import Connection
from providers.oauth.tokens import TokenGrant, TokenRequest, oauth_grant, refresh_form


class HubSpotTokenEndpoint:
    provider = "hubspot"
    rotates = False

    def request(self, settings: ClientSettings, connection: Connection) -> TokenRequest:
        return TokenRequest(
            settings.hubspot_token_url,
            refresh_form(connection),
        )

    def grant(
        self, settings: ClientSettings, status: int, headers: Mapping[str, str], body: Any
    ) -> TokenGrant:
        return oauth_grant(self.provider, status, headers, body, permanent=status in (400, 401))


TOKEN_ENDPOINT = HubSpotTokenEndpoint()
