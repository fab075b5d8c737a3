"""HighLevel's OAuth token endpoint: refreshing a location's (or agency's) access token.

https://highlevel.stoplight.io/docs/integrations/ (OAuth 2.0 > Get Access Token)
``POST /oauth/token``, form-encoded ``grant_type=refresh_token``, ``client_id``,
``client_secret``, ``refresh_token`` and ``user_type`` (``Location`` or ``Company``); answers
``{access_token, token_type, expires_in (86399), refresh_token, scope, userType, locationId,
companyId, userId}``. Refresh tokens are single-use: each answer carries the next one, and
the old one is refused from then on, so a token request is never repeated after a lost reply.
Refusals are 400/401 with a message and no published codes (highlevel-api-docs issue #249).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from providers.base import ClientSettings
from providers.domain import Connection
from providers.oauth.tokens import TokenGrant, TokenRequest, oauth_grant, refresh_form


class LeadConnectorTokenEndpoint:
    provider = "leadconnector"
    rotates = True

    def request(self, settings: ClientSettings, connection: Connection) -> TokenRequest:
        return TokenRequest(
            settings.leadconnector_token_url,
            # A token for one sub-account is a Location token; without one, the agency's.
            refresh_form(connection, user_type="Location" if connection.location_id else "Company"),
        )

    def grant(
        self, settings: ClientSettings, status: int, headers: Mapping[str, str], body: Any
    ) -> TokenGrant:
        return oauth_grant(self.provider, status, headers, body, permanent=status in (400, 401))


TOKEN_ENDPOINT = LeadConnectorTokenEndpoint()
