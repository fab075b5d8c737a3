"""CRM integrations (Heron's crm_integrations). Credentials are input-only."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import strawberry

from gql.store.integrations import Integration
from gql.types.common import JSON, AuthStatus, CrmProvider

NAME_HELP = "A name for people to recognise the connection by: 1 to 200 characters."
INSTANCE_URL_HELP = (
    "Salesforce: the org's URL (https, on a Salesforce host such as "
    "https://acme.my.salesforce.com). Ignored by the other providers."
)
RATE_LIMITS_HELP = "This account's own rate limits, where they differ from the provider's."
ENABLED_HELP = (
    "When false, every query or mutation naming this integration answers "
    "INTEGRATION_DISABLED without calling the CRM."
)
LIVE_HELP = "Heron's is_live flag: whether the connection is a production (live) account."


@strawberry.input(description="Write-only: never returned by any field, error or log line.")
class CrmCredentialsInput:
    access_token: str = strawberry.field(
        description="The provider's bearer token: a HubSpot private-app or OAuth token, a "
        "Salesforce session or OAuth token, a HighLevel location token. Not empty; at most "
        "16,384 characters, as every secret here."
    )
    refresh_token: str | None = strawberry.field(
        default=None,
        description="OAuth refresh token: with clientId and clientSecret, the access token is "
        "refreshed before expiresAt and once after the provider answers 401.",
    )
    client_id: str | None = strawberry.field(
        default=None, description="The OAuth app's client id (for refreshing)."
    )
    client_secret: str | None = strawberry.field(
        default=None, description="The OAuth app's client secret (for refreshing)."
    )
    expires_at: datetime | None = strawberry.field(
        default=None,
        description="When the access token expires (the token answer's expires_in after it "
        "was issued). Without it, the token is refreshed only after a 401.",
    )


@strawberry.input(
    description="This account's own rate limits, where they differ from its provider's "
    "defaults (HubSpot: 100 requests per 10 s; a Professional account has 190)."
)
class RateLimitsInput:
    requests_per_interval: int | None = strawberry.field(
        default=None, description="Requests allowed per interval: 1 to 100,000."
    )
    interval_seconds: float | None = strawberry.field(
        default=None, description="The burst interval, in seconds: 0.001 to 86,400."
    )
    daily_requests: int | None = strawberry.field(
        default=None, description="Requests allowed per day: 1 to 100,000,000."
    )


@strawberry.type(
    description="The integration's own rate limits; null fields use the provider's defaults."
)
class RateLimits:
    requests_per_interval: int | None = strawberry.field(
        description="Requests allowed per interval."
    )
    interval_seconds: float | None = strawberry.field(description="The burst interval, in seconds.")
    daily_requests: int | None = strawberry.field(description="Requests allowed per day.")


@strawberry.input(description="A new CRM connection; credentials are stored encrypted.")
class CreateCrmIntegrationInput:
    provider: CrmProvider = strawberry.field(description="The CRM it connects to.")
    name: str = strawberry.field(description=NAME_HELP)
    instance_url: str | None = strawberry.field(default=None, description=INSTANCE_URL_HELP)
    location_id: str | None = strawberry.field(
        default=None, description="HighLevel: the sub-account (location) the token belongs to."
    )
    credentials: CrmCredentialsInput = strawberry.field(
        description="The tokens crmgraph calls the CRM with (write-only)."
    )
    rate_limits: RateLimitsInput | None = strawberry.field(
        default=None, description=RATE_LIMITS_HELP
    )
    config: JSON | None = strawberry.field(
        default=None,
        description="Heron's CrmConfig: field mappings, value mappings, object configs.",
    )
    is_enabled: bool | None = strawberry.field(default=True, description=ENABLED_HELP)
    is_live: bool | None = strawberry.field(default=True, description=LIVE_HELP)


@strawberry.input(description="Only the fields given change.")
class UpdateCrmIntegrationInput:
    name: str | None = strawberry.field(default=None, description=NAME_HELP)
    instance_url: str | None = strawberry.field(default=None, description=INSTANCE_URL_HELP)
    location_id: str | None = strawberry.field(
        default=None, description="HighLevel: the sub-account (location) the token belongs to."
    )
    credentials: CrmCredentialsInput | None = strawberry.field(
        default=None, description="New tokens, replacing the stored ones (write-only)."
    )
    rate_limits: RateLimitsInput | None = strawberry.field(
        default=None, description=RATE_LIMITS_HELP
    )
    config: JSON | None = strawberry.field(
        default=None, description="Heron's CrmConfig, replacing the stored one."
    )
    is_enabled: bool | None = strawberry.field(default=None, description=ENABLED_HELP)
    is_live: bool | None = strawberry.field(default=None, description=LIVE_HELP)


@strawberry.federation.type(keys=["id"], description="A registered CRM connection.")
class CrmIntegration:
    id: strawberry.ID = strawberry.field(
        description="The connection's id in crmgraph (a UUID): the integrationId of every "
        "other field."
    )
    provider: CrmProvider = strawberry.field(description="The CRM it connects to.")
    name: str = strawberry.field(description="The name it was given.")
    instance_url: str | None = strawberry.field(
        description="Salesforce: the org's https URL; null for the others."
    )
    location_id: str | None = strawberry.field(
        description="HighLevel: the location (sub-account) it acts for; null for the others."
    )
    rate_limits: RateLimits | None = strawberry.field(
        description="Its own rate limits; null: the provider's defaults."
    )
    is_enabled: bool = strawberry.field(description=ENABLED_HELP)
    is_live: bool = strawberry.field(description=LIVE_HELP)
    config: JSON | None = strawberry.field(
        description="Heron's CrmConfig (field and value mappings), as stored."
    )
    created_at: datetime = strawberry.field(description="When it was registered (UTC).")
    updated_at: datetime = strawberry.field(description="When it last changed (UTC).")
    auth_status: AuthStatus = strawberry.field(
        description="OK, or REAUTHORIZATION_REQUIRED once the provider refused the refresh "
        "token: then update the credentials."
    )

    @classmethod
    def from_domain(cls, i: Integration) -> CrmIntegration:
        return cls(
            id=strawberry.ID(i.id),
            provider=i.provider,
            name=i.name,
            instance_url=i.instance_url,
            location_id=i.location_id,
            rate_limits=RateLimits(
                requests_per_interval=i.rate_limits.burst,
                interval_seconds=i.rate_limits.interval_seconds,
                daily_requests=i.rate_limits.daily,
            )
            if i.rate_limits
            else None,
            is_enabled=i.is_enabled,
            is_live=i.is_live,
            config=JSON(i.config.to_json()) if i.config else None,
            created_at=i.created_at,
            updated_at=i.updated_at,
            auth_status=AuthStatus(i.auth_status.value),
        )

    @classmethod
    async def resolve_reference(
        cls, info: strawberry.Info, id: strawberry.ID, **_: Any
    ) -> CrmIntegration | None:
        integration = await info.context.store.get(info.context.tenant, str(id))
        return cls.from_domain(integration) if integration else None
