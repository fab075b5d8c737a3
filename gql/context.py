"""The typed per-request context every resolver receives."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeAlias

import strawberry

from gql.loaders import Loaders
from gql.settings import Settings
from gql.store.idempotency import IdempotencyStore
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


Info: TypeAlias = strawberry.Info[Context, None]
