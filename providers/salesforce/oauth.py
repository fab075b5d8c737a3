"""Salesforce's OAuth token endpoint: the refresh token flow.

https://help.salesforce.com/s/articleView?id=sf.remoteaccess_oauth_refresh_token_flow.htm
``POST {login host}/services/oauth2/token`` (``CRMGRAPH_SALESFORCE_LOGIN_URL``:
login.salesforce.com, test.salesforce.com for sandboxes, or the org's My Domain), form-encoded
``grant_type=refresh_token``, ``client_id``, ``client_secret``, ``refresh_token`` (the Postman
collection's "Refresh Token" request); answers ``{access_token, signature, scope,
instance_url, id, token_type, issued_at}``, plus a new ``refresh_token`` when the connected
app rotates them. No ``expires_in``: the session lasts as the org's policy says, so the token
is refreshed when a call answers 401 ``INVALID_SESSION_ID``. ``instance_url`` may change (an
org moved to another instance): it is stored with the token. ``invalid_grant`` (revoked,
expired, a rotated token used again) and ``invalid_client`` are for good.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from providers.base import ClientSettings
from providers.domain import Connection
from providers.oauth.tokens import TokenGrant, TokenRequest, oauth_grant, refresh_form
from providers.salesforce.rules import validate_instance_url

TOKEN_PATH = "/services/oauth2/token"
_PERMANENT = frozenset(
    {"invalid_grant", "invalid_client", "invalid_client_id", "unauthorized_client"}
)


class SalesforceTokenEndpoint:
    provider = "salesforce"
    rotates = True  # rotation is the connected app's choice: assume it

    def request(self, settings: ClientSettings, connection: Connection) -> TokenRequest:
        return TokenRequest(
            settings.salesforce_login_url.rstrip("/") + TOKEN_PATH,
            refresh_form(connection),
        )

    def grant(
        self, settings: ClientSettings, status: int, headers: Mapping[str, str], body: Any
    ) -> TokenGrant:
        code = body.get("error") if isinstance(body, Mapping) else None
        permanent = status in (400, 401) and (code in _PERMANENT or code is None)
        grant = oauth_grant(self.provider, status, headers, body, permanent=permanent)
        if grant.instance_url is None:
            return grant
        # The org's next calls go where this says: the same rules as a stored instanceUrl.
        url = validate_instance_url(
            grant.instance_url, allow_insecure=settings.allow_insecure_upstreams
        )
        return TokenGrant(grant.access_token, grant.refresh_token, grant.expires_in, url)


TOKEN_ENDPOINT = SalesforceTokenEndpoint()
