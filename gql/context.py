"""The typed per-request context every resolver receives."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, TypeAlias

import strawberry

from gql.imports.runner import ImportRunner
from gql.loaders import Loaders
from gql.settings import Settings
from gql.store.idempotency import IdempotencyStore
from gql.store.imports import ImportStore
from gql.store.integrations import IntegrationStore
from providers.base import HttpTransport


@dataclass
class Context:
    tenant: str
    settings: Settings
    store: IntegrationStore
    transport: HttpTransport
    loaders: Loaders
    idempotency: IdempotencyStore
    imports: ImportStore
    runner: ImportRunner
    # graphql-transport-ws: connection_init's payload (where a socket carries its API key).
    connection_params: dict[str, Any] | None = None


Info: TypeAlias = strawberry.Info[Context, None]
