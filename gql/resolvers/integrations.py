"""Registering CRM connections: queries and mutations on integrations."""

from __future__ import annotations

from datetime import UTC
from typing import Annotated, Any

import strawberry
from pydantic import ValidationError

from gql import validation as check
from gql.context import Info
from gql.errors import ApiError, Code, bad_input
from gql.store.heron_config import CrmConfig
from gql.store.integrations import IntegrationChanges
from gql.types.common import IntegrationId
from gql.types.integrations import (
    CreateCrmIntegrationInput,
    CrmCredentialsInput,
    CrmIntegration,
    RateLimitsInput,
    UpdateCrmIntegrationInput,
)
from providers import registry
from providers.domain import Credentials, CrmProvider, RateLimits
from providers.errors import InvalidRequest
from providers.salesforce.rules import validate_instance_url

MAX_SECRET_CHARS = 16 * 1024  # OAuth tokens run to a few KiB; anything larger is not one


def _config(value: Any) -> CrmConfig | None:
    if value is None:
        return None
    try:
        return CrmConfig.model_validate(value)
    except ValidationError as exc:
        problems = [
            {"path": ".".join(str(p) for p in e["loc"]), "message": e["msg"]}
            for e in exc.errors(include_url=False, include_input=False)
        ]
        raise bad_input(
            "config is not a valid CRM config", field="config", problems=problems
        ) from None


def _credentials(value: CrmCredentialsInput | None) -> Credentials | None:
    if value is None:
        return None
    if not value.access_token.strip():
        raise bad_input("credentials.accessToken is empty", field="credentials.accessToken")
    for name in ("access_token", "refresh_token", "client_id", "client_secret"):
        secret = getattr(value, name)
        if secret is not None and len(secret) > MAX_SECRET_CHARS:
            raise bad_input(
                f"credentials.{name} is longer than {MAX_SECRET_CHARS} characters",
                field=f"credentials.{name}",
            )
    expires_at = value.expires_at
    if expires_at is not None and expires_at.tzinfo is None:
        raise bad_input(
            "credentials.expiresAt needs a time zone (e.g. 2026-01-01T00:00:00Z)",
            field="credentials.expiresAt",
        )
    return Credentials(
        value.access_token,
        value.refresh_token,
        value.client_id,
        value.client_secret,
        expires_at.astimezone(UTC) if expires_at is not None else None,
    )


def _name(value: str | None) -> str | None:
    if value is not None and not (0 < len(value.strip()) <= 200):
        raise bad_input("name must be 1 to 200 characters", field="name")
    return value.strip() if value is not None else None


def _instance_url(info: Info, provider: CrmProvider, url: str | None) -> str | None:
    if provider is not CrmProvider.SALESFORCE:
        if url is not None and len(url) > 2048:
            raise bad_input("instanceUrl is too long", field="instanceUrl")
        return url
    try:
        return validate_instance_url(
            url, allow_insecure=info.context.settings.allow_insecure_upstreams
        )
    except InvalidRequest as exc:
        raise bad_input(exc.message, field="instanceUrl") from None


def _rate_limits(value: RateLimitsInput | None) -> RateLimits | None:
    if value is None:
        return None
    checks = (
        ("requestsPerInterval", value.requests_per_interval, 1, 100_000),
        ("intervalSeconds", value.interval_seconds, 0.001, 86_400),
        ("dailyRequests", value.daily_requests, 1, 100_000_000),
    )
    for name, number, low, high in checks:
        if number is not None and not low <= number <= high:
            raise bad_input(
                f"rateLimits.{name} must be {low} to {high}", field=f"rateLimits.{name}"
            )
    return RateLimits(value.requests_per_interval, value.interval_seconds, value.daily_requests)


def _location_id(value: str | None) -> str | None:
    # A HighLevel location id, checked by HighLevel's rules.
    rules = registry.rules(CrmProvider.LEADCONNECTOR)
    return None if value is None else rules.record_id(value, "locationId")


def _not_found(id: str) -> ApiError:
    return ApiError(Code.NOT_FOUND, f"no integration with id {check.shown(id)}")


@strawberry.type
class IntegrationQueries:
    @strawberry.field(
        description="One of the caller's integrations; null when unknown or another tenant's."
    )
    async def crm_integration(self, info: Info, id: IntegrationId) -> CrmIntegration | None:
        found = await info.context.store.get(info.context.tenant, str(id))
        return CrmIntegration.from_domain(found) if found else None

    @strawberry.field(description="Every integration of the caller's tenant.")
    async def crm_integrations(self, info: Info) -> list[CrmIntegration]:
        found = await info.context.store.list(info.context.tenant)
        return [CrmIntegration.from_domain(i) for i in found]


@strawberry.type
class IntegrationMutations:
    @strawberry.mutation(description="Register a CRM connection for the caller's tenant.")
    async def create_crm_integration(
        self,
        info: Info,
        input: Annotated[
            CreateCrmIntegrationInput, strawberry.argument(description="The new connection.")
        ],
    ) -> CrmIntegration:
        changes = IntegrationChanges(
            provider=input.provider,
            name=_name(input.name),
            instance_url=_instance_url(info, input.provider, input.instance_url),
            location_id=_location_id(input.location_id),
            rate_limits=_rate_limits(input.rate_limits),
            credentials=_credentials(input.credentials),
            config=_config(input.config),
            is_enabled=input.is_enabled,
            is_live=input.is_live,
        )
        created = await info.context.store.create(info.context.tenant, changes)
        return CrmIntegration.from_domain(created)

    @strawberry.mutation(
        description="Change an integration: only the fields given change. NOT_FOUND when "
        "unknown or another tenant's."
    )
    async def update_crm_integration(
        self,
        info: Info,
        id: IntegrationId,
        input: Annotated[
            UpdateCrmIntegrationInput, strawberry.argument(description="The fields to change.")
        ],
    ) -> CrmIntegration:
        ctx = info.context
        current = await ctx.store.get(ctx.tenant, str(id))
        if current is None:
            raise _not_found(str(id))
        changes = IntegrationChanges(
            name=_name(input.name),
            instance_url=(
                _instance_url(info, current.provider, input.instance_url)
                if input.instance_url is not None
                else None
            ),
            location_id=_location_id(input.location_id),
            rate_limits=_rate_limits(input.rate_limits),
            credentials=_credentials(input.credentials),
            config=_config(input.config),
            is_enabled=input.is_enabled,
            is_live=input.is_live,
        )
        updated = await ctx.store.update(ctx.tenant, str(id), changes)
        ctx.loaders.forget_integration(str(id))
        if updated is None:
            raise _not_found(str(id))
        return CrmIntegration.from_domain(updated)

    @strawberry.mutation(description="Remove an integration; answers its id.")
    async def delete_crm_integration(self, info: Info, id: IntegrationId) -> strawberry.ID:
        if not await info.context.store.delete(info.context.tenant, str(id)):
            raise _not_found(str(id))
        info.context.loaders.forget_integration(str(id))
        return id
