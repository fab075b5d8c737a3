"""CRM integrations (Heron's crm_integrations). Credentials are input-only."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import strawberry

from gql.store.integrations import Integration
from gql.types.common import JSON, AuthStatus, CrmProvider


@strawberry.input(description="Write-only: never returned by any field, error or log line.")
class CrmCredentialsInput:
    access_token: str
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
    requests_per_interval: int | None = None
    interval_seconds: float | None = None
    daily_requests: int | None = None


@strawberry.type
class RateLimits:
    requests_per_interval: int | None
    interval_seconds: float | None
    daily_requests: int | None


@strawberry.input
class CreateCrmIntegrationInput:
    provider: CrmProvider
    name: str
    instance_url: str | None = None
    location_id: str | None = strawberry.field(
        default=None, description="HighLevel: the sub-account (location) the token belongs to."
    )
    credentials: CrmCredentialsInput
    rate_limits: RateLimitsInput | None = None
    config: JSON | None = strawberry.field(
        default=None,
        description="Heron's CrmConfig: field mappings, value mappings, object configs.",
    )
    is_enabled: bool | None = True
    is_live: bool | None = True


@strawberry.input(description="Only the fields given change.")
class UpdateCrmIntegrationInput:
    name: str | None = None
    instance_url: str | None = None
    location_id: str | None = None
    credentials: CrmCredentialsInput | None = None
    rate_limits: RateLimitsInput | None = None
    config: JSON | None = None
    is_enabled: bool | None = None
    is_live: bool | None = None


@strawberry.federation.type(keys=["id"], description="A registered CRM connection.")
class CrmIntegration:
    id: strawberry.ID
    provider: CrmProvider
    name: str
    instance_url: str | None
    location_id: str | None
    rate_limits: RateLimits | None
    is_enabled: bool
    is_live: bool
    config: JSON | None
    created_at: datetime
    updated_at: datetime
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
