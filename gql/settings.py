"""Settings from ``CRMGRAPH_*`` environment variables, built in the app factory."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy import make_url

from gql.persisted_queries import Mode
from providers.base import ClientSettings
from providers.hubspot.paths import DEFAULT_API_VERSION, ApiVersion

API_KEY_FORM = "tenant:key pairs, comma-separated (e.g. acme:k3y,globex:0th3r)"


class ApiKeysError(ValueError):
    """A malformed ``CRMGRAPH_API_KEYS``; the message names the entry, never a key."""


def parse_api_keys(raw: str) -> dict[str, str]:
    """key -> tenant from ``tenant:key`` pairs; raises ``ApiKeysError`` on a malformed entry."""
    keys: dict[str, str] = {}
    entries = [item.strip() for item in raw.split(",")]
    for n, item in enumerate(entries, start=1):
        if not item:
            continue  # a trailing or doubled comma
        tenant, sep, key = item.partition(":")
        tenant, key = tenant.strip(), key.strip()
        where = f"CRMGRAPH_API_KEYS entry {n}" + (f" (tenant {tenant!r})" if sep and tenant else "")
        problem = (
            "has no ':'"
            if not sep
            else "has an empty tenant"
            if not tenant
            else "has an empty key"
            if not key
            else "repeats a key given before"
            if key in keys
            else None
        )
        if problem:
            raise ApiKeysError(f"{where} {problem}: give {API_KEY_FORM}")
        keys[key] = tenant
    return keys


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

    # OAuth token endpoints (refreshing access tokens), defaulting to the providers' own.
    hubspot_token_url: str = "https://api.hubapi.com/oauth/v1/token"
    leadconnector_token_url: str = "https://services.leadconnectorhq.com/oauth/token"
    salesforce_login_url: str = "https://login.salesforce.com"
    # A token that expires within this many seconds is refreshed before it is used.
    token_refresh_margin_seconds: float = Field(default=300.0, ge=0)

    upstream_timeout_seconds: float = Field(default=30.0, gt=0)  # one attempt
    # Every attempt and wait a GraphQL request makes (rate-limit waits, retries) fit in this.
    request_deadline_seconds: float = Field(default=60.0, gt=0)
    retry_attempts: int = Field(default=5, ge=1, le=10)
    retry_backoff_seconds: float = Field(default=0.2, ge=0)
    # The longest single wait before a retry: a longer Retry-After is cut to it.
    max_retry_wait_seconds: float = Field(default=60.0, ge=0)
    # "2026-09" (HubSpot's date-versioned API) or "legacy" (v3 batch create, v4 associations).
    hubspot_api_version: ApiVersion = DEFAULT_API_VERSION
    # Unset: batches start at HubSpot's documented maximum, halved when it refuses one.
    hubspot_v3_batch_limit: int | None = Field(default=None, ge=1, le=100)
    hubspot_v4_batch_limit: int | None = Field(default=None, ge=1, le=2000)
    batch_concurrency: int = Field(default=4, ge=1, le=32)
    max_batch_inputs: int = Field(default=10_000, ge=1)
    idempotency_ttl_seconds: int = Field(default=24 * 3600, ge=1)
    max_import_inputs: int = Field(default=1_000_000, ge=1)
    # Multipart requests (CSV imports) only; every other body keeps max_body_bytes.
    max_upload_bytes: int = Field(default=64 * 1024 * 1024, ge=1024)
    # How often a progress subscription reads a job that another process runs.
    import_poll_seconds: float = Field(default=1.0, gt=0)
    # An import waits this long for its rate budget (or a Retry-After) before failing items.
    import_max_wait_seconds: float = Field(default=600.0, gt=0)
    # A running import's heartbeat is touched every third of this: the job of a replica that
    # died is queued again once it has been silent this long, and another replica takes it
    # up (PostgreSQL or Redis). Unfinished jobs are also submitted again this often.
    import_lease_seconds: float = Field(default=30.0, ge=1)
    # Imports this replica runs at once. 0 (PostgreSQL only): it queues jobs and answers on
    # them, and the other replicas run them.
    import_jobs_per_replica: int = Field(default=4, ge=0, le=64)
    # A claim on a key by a replica that died is taken over after this long: keep it above
    # the longest a mutation can take.
    idempotency_lease_seconds: float = Field(default=120.0, gt=0)
    # A repeat of a key still in progress waits this long for the first answer, then answers
    # IDEMPOTENCY_KEY_IN_PROGRESS.
    idempotency_wait_seconds: float = Field(default=10.0, ge=0)
    idempotency_purge_interval_seconds: float = Field(default=600.0, gt=0)
    # Shared state for several replicas (rate budgets, persisted queries, refresh locks);
    # unset: each process keeps its own.
    redis_url: SecretStr | None = None
    # How long a replica reuses an integration it read (and its decrypted credentials);
    # its own changes apply at once, another replica's within this time. 0 reads every time.
    integration_cache_seconds: float = Field(default=2.0, ge=0)
    # Calls for one integration and object pair from any number of requests of a tenant
    # wait this long for company (each newcomer extends it, up to ten windows), then share
    # upstream batch calls (gql/coalescing.py). 0 turns it off.
    coalesce_window_ms: float = Field(default=5.0, ge=0, le=1000)

    max_operations_per_request: int = Field(default=50, ge=1)
    max_body_bytes: int = Field(default=2 * 1024 * 1024, ge=1024)
    max_query_depth: int = 12
    # A stitching gateway merges the fields it delegates into one document, one alias each
    # (tests/federation/test_stitch_records.py: 100 delegations, 1,805 tokens). 200 aliases
    # and 8,000 tokens leave room for larger selections; 2,000 one-line operations (10,000
    # tokens) are still refused. Mutations keep 30 aliases (DocumentLimits).
    max_aliases: int = 200
    max_mutation_aliases: int = 30  # each aliased mutation can be a provider call of its own
    max_tokens: int = 8_000
    max_expanded_fields: int = 5_000  # fields a document selects once fragments are expanded
    introspection: bool = True
    graphiql: bool = True
    # Sandbox only: the development key GraphiQL sends unless the user changes it.
    graphiql_prefill_key: SecretStr | None = None

    # /metrics: public, behind an API key (protected), or not served (off).
    metrics: Literal["public", "protected", "off"] = "protected"
    log_format: Literal["text", "json"] = "text"
    log_level: str = "INFO"
    # Tracing is on when set: the collector's OTLP/HTTP address (``/v1/traces`` is added
    # when it has no path).
    otel_exporter_otlp_endpoint: str | None = None
    otel_service_name: str = "crmgraph"

    # Browser origins allowed to call /graphql (comma-separated, "*" for any; empty: no CORS).
    cors_origins: str = ""
    cors_max_age_seconds: int = Field(default=600, ge=0)
    # Automatic persisted queries: on, off, or known (only registered documents run).
    persisted_queries: Mode = Mode.ON
    persisted_queries_max_entries: int = Field(default=1000, ge=1)
    # Documents registered at start-up (an Apollo persisted-query manifest, or {hash: query}).
    persisted_queries_manifest: Path | None = None

    def api_key_map(self) -> dict[str, str]:
        """key -> tenant; raises ``ApiKeysError`` on a malformed entry."""
        return parse_api_keys(self.api_keys.get_secret_value())

    @property
    def shared_database(self) -> bool:
        """PostgreSQL, which several replicas share (SQLite serves one process)."""
        return make_url(self.database_url).get_backend_name() == "postgresql"

    def cors_origin_list(self) -> list[str]:
        return [o.strip().rstrip("/") for o in self.cors_origins.split(",") if o.strip()]

    def client_settings(self) -> ClientSettings:
        return ClientSettings(
            hubspot_base_url=self.hubspot_base_url,
            leadconnector_base_url=self.leadconnector_base_url,
            salesforce_api_version=self.salesforce_api_version,
            allow_insecure_upstreams=self.allow_insecure_upstreams,
            hubspot_token_url=self.hubspot_token_url,
            leadconnector_token_url=self.leadconnector_token_url,
            salesforce_login_url=self.salesforce_login_url,
            timeout_seconds=self.upstream_timeout_seconds,
            request_deadline_seconds=self.request_deadline_seconds,
            retry_attempts=self.retry_attempts,
            retry_backoff_seconds=self.retry_backoff_seconds,
            max_retry_wait_seconds=self.max_retry_wait_seconds,
            hubspot_api_version=self.hubspot_api_version,
            hubspot_v3_batch_limit=self.hubspot_v3_batch_limit,
            hubspot_v4_batch_limit=self.hubspot_v4_batch_limit,
            batch_concurrency=self.batch_concurrency,
        )
