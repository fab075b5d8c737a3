"""Settings from ``CRMGRAPH_*`` environment variables, built in the app factory."""

from __future__ import annotations

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from providers.base import ClientSettings
from providers.hubspot.paths import DEFAULT_API_VERSION, ApiVersion


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="CRMGRAPH_", extra="ignore")

    # "tenant:key" pairs, comma-separated. Keys are compared in constant time.
    api_keys: SecretStr = SecretStr("")
    database_url: str = "sqlite+aiosqlite:///./crmgraph.db"
    # Encrypts stored credentials; a key file beside the database is made when unset.
    secret_key: SecretStr | None = None

    hubspot_base_url: str = "https://api.hubapi.com"
    leadconnector_base_url: str = "https://services.leadconnectorhq.com"
    salesforce_api_version: str = "v62.0"
    allow_insecure_upstreams: bool = False

    upstream_timeout_seconds: float = 30.0
    retry_attempts: int = Field(default=4, ge=1, le=10)
    retry_backoff_seconds: float = Field(default=0.2, ge=0)
    max_retry_wait_seconds: float = 10.0
    # "2026-09" (HubSpot's date-versioned API) or "legacy" (v3 batch create, v4 associations).
    hubspot_api_version: ApiVersion = DEFAULT_API_VERSION
    # Unset: batches start at HubSpot's documented maximum, halved when it refuses one.
    hubspot_v3_batch_limit: int | None = Field(default=None, ge=1, le=100)
    hubspot_v4_batch_limit: int | None = Field(default=None, ge=1, le=2000)
    batch_concurrency: int = Field(default=4, ge=1, le=32)
    max_batch_inputs: int = Field(default=10_000, ge=1)
    idempotency_ttl_seconds: int = Field(default=24 * 3600, ge=1)

    max_operations_per_request: int = Field(default=50, ge=1)
    max_body_bytes: int = Field(default=2 * 1024 * 1024, ge=1024)
    max_query_depth: int = 12
    max_aliases: int = 30
    max_tokens: int = 5_000
    max_expanded_fields: int = 5_000  # fields a document selects once fragments are expanded
    introspection: bool = True
    graphiql: bool = True
    # Sandbox only: the development key GraphiQL sends unless the user changes it.
    graphiql_prefill_key: SecretStr | None = None

    def api_key_map(self) -> dict[str, str]:
        """key -> tenant."""
        keys: dict[str, str] = {}
        for item in self.api_keys.get_secret_value().split(","):
            tenant, sep, key = item.strip().partition(":")
            if sep and tenant and key:
                keys[key] = tenant
        return keys

    def client_settings(self) -> ClientSettings:
        return ClientSettings(
            hubspot_base_url=self.hubspot_base_url,
            leadconnector_base_url=self.leadconnector_base_url,
            salesforce_api_version=self.salesforce_api_version,
            allow_insecure_upstreams=self.allow_insecure_upstreams,
            timeout_seconds=self.upstream_timeout_seconds,
            retry_attempts=self.retry_attempts,
            retry_backoff_seconds=self.retry_backoff_seconds,
            max_retry_wait_seconds=self.max_retry_wait_seconds,
            hubspot_api_version=self.hubspot_api_version,
            hubspot_v3_batch_limit=self.hubspot_v3_batch_limit,
            hubspot_v4_batch_limit=self.hubspot_v4_batch_limit,
            batch_concurrency=self.batch_concurrency,
        )
