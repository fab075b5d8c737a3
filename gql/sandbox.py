"""``crmgraph serve --sandbox``: the server against in-process CRM emulators, offline.

The emulators are the ones the tests use (``emulators``), seeded with demo records
whose ids the README's examples name. The database is a throwaway temporary file; the
development API key is kept in a key file (``crmgraph serve --sandbox-key-file``), so it stays
the same across restarts, unless ``CRMGRAPH_API_KEYS`` gives the keys. Any origin may call it
(CORS), so a frontend on a dev server can try it.
"""

from __future__ import annotations

import secrets
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aiohttp import web

from emulators import hubspot, leadconnector, salesforce
from emulators import sandbox_data as demo
from emulators.common import RunningEmulator
from emulators.faults import parse_rule
from gql.settings import Settings, parse_api_keys
from gql.store.integrations import IntegrationChanges
from providers.domain import Credentials, CrmProvider

TENANT = "sandbox"
# Fixed ids, so the README's examples work as they are.
INTEGRATION_IDS = {
    CrmProvider.HUBSPOT: "00000000-0000-4000-8000-000000000001",
    CrmProvider.SALESFORCE: "00000000-0000-4000-8000-000000000002",
    CrmProvider.LEADCONNECTOR: "00000000-0000-4000-8000-000000000003",
}


def development_key(key_file: Path | None) -> str:
    """The key kept in ``key_file`` (made on first use, readable by its owner only); a fresh
    one for each start without a file."""
    if key_file is not None and key_file.is_file():
        kept = key_file.read_text().strip()
        if kept.startswith("dev-") and len(kept) > 20:
            return kept
    key = "dev-" + secrets.token_urlsafe(24)
    if key_file is not None:
        key_file.parent.mkdir(parents=True, exist_ok=True)
        key_file.touch(mode=0o600)
        key_file.write_text(key + "\n")
    return key


@dataclass
class Sandbox:
    settings: Settings
    api_key: str
    tenant: str
    key_given: bool  # from CRMGRAPH_API_KEYS: a real secret, never printed nor prefilled
    emulators: dict[CrmProvider, RunningEmulator[Any]]
    workdir: Path

    @classmethod
    async def start(
        cls,
        faults: list[str] | None = None,
        *,
        api_keys: str | None = None,
        key_file: Path | None = None,
        cors_origins: str = "*",
    ) -> Sandbox:
        """Start the three emulators on loopback; ``faults`` are ``parse_rule`` specs.

        ``api_keys`` (``tenant:key`` pairs) replaces the development key: the demo
        integrations then belong to the first entry's tenant. Raises ``ApiKeysError`` on a
        malformed entry, before anything starts."""
        given = parse_api_keys(api_keys or "")
        if given:
            api_key, tenant = next(iter(given.items()))
        else:
            api_key, tenant = development_key(key_file), TENANT
            api_keys = f"{tenant}:{api_key}"
        emulators: dict[CrmProvider, RunningEmulator[Any]] = {
            CrmProvider.HUBSPOT: await hubspot.serve(demo.seed_hubspot(hubspot.HubSpotState())),
            CrmProvider.SALESFORCE: await salesforce.serve(
                demo.seed_salesforce(salesforce.SalesforceState())
            ),
            CrmProvider.LEADCONNECTOR: await leadconnector.serve(
                demo.seed_leadconnector(leadconnector.LeadConnectorState())
            ),
        }
        for spec in faults or []:
            for emulator in emulators.values():  # a rule each: counters stay per provider
                emulator.state.faults.rules.append(parse_rule(spec))
        workdir = Path(tempfile.mkdtemp(prefix="crmgraph-sandbox-"))
        settings = Settings(
            api_keys=api_keys,
            database_url=f"sqlite+aiosqlite:///{workdir / 'sandbox.db'}",
            secret_key=secrets.token_urlsafe(32),
            hubspot_base_url=emulators[CrmProvider.HUBSPOT].url,
            leadconnector_base_url=emulators[CrmProvider.LEADCONNECTOR].url,
            allow_insecure_upstreams=True,  # the emulators listen on plain-http loopback
            graphiql_prefill_key=None if given else api_key,
            cors_origins=cors_origins,
        )
        return cls(settings, api_key, tenant, bool(given), emulators, workdir)

    async def seed(self, app: web.Application) -> None:
        """Register one demo integration per provider (an ``on_startup`` hook)."""
        from gql.app import STORE

        store = app[STORE]
        tokens = {
            CrmProvider.HUBSPOT: demo.SANDBOX_HUBSPOT_TOKEN,
            CrmProvider.SALESFORCE: demo.SANDBOX_SALESFORCE_TOKEN,
            CrmProvider.LEADCONNECTOR: demo.SANDBOX_LEADCONNECTOR_TOKEN,
        }
        for provider, integration_id in INTEGRATION_IDS.items():
            if await store.get(self.tenant, integration_id) is not None:
                continue
            await store.create(
                self.tenant,
                IntegrationChanges(
                    provider=provider,
                    name=f"Sandbox {provider.name.title()}",
                    instance_url=(
                        self.emulators[provider].url if provider is CrmProvider.SALESFORCE else None
                    ),
                    location_id=(
                        demo.GHL_LOCATION_ID if provider is CrmProvider.LEADCONNECTOR else None
                    ),
                    credentials=Credentials(tokens[provider]),
                ),
                id_=integration_id,
            )

    def announce(self, url: str) -> None:
        lines = [
            f"crmgraph sandbox: open {url} (GraphiQL sends the key below already)",
            (
                f"  API key: the first of CRMGRAPH_API_KEYS (tenant {self.tenant!r})"
                if self.key_given
                else f"  API key (header 'Authorization: Bearer <key>'): {self.api_key}"
            ),
            *(
                f"  {p.name:<13} integrationId {i}   emulator {self.emulators[p].url}"
                for p, i in INTEGRATION_IDS.items()
            ),
        ]
        print("\n".join(lines), flush=True)

    async def close(self) -> None:
        for emulator in self.emulators.values():
            await emulator.close()
        shutil.rmtree(self.workdir, ignore_errors=True)
