"""Resuming a window that was in flight at a crash, for a CRM whose create is not idempotent:
what the CRM already holds is confirmed from its reads and not sent again; with no reads, the
items are reported OUTCOME_UNKNOWN and never sent twice. HubSpot plays that CRM here (the
same client, flagged not idempotent)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from gql.app import IMPORTS, RUNNER
from gql.imports import runner as runner_module
from gql.imports.model import ImportItem
from tests.imports import ERRORS, fast_hubspot, finished, pages


@pytest.mark.parametrize("reads", [True, False])
async def test_a_window_in_flight_is_reconciled_not_resent(api, hubspot, monkeypatch, reads):
    real = runner_module.batch_creation

    def not_idempotent(transport: Any, found: Any) -> Any:
        creation = real(transport, found)
        return replace(creation, idempotent=False, reads=creation.reads if reads else None)

    monkeypatch.setattr(runner_module, "batch_creation", not_idempotent)
    integration = await fast_hubspot(api)
    app = api.client.server.app
    items = [ImportItem(n, str(1 + n), "1001", "contact_to_company") for n in range(10)]
    job = await app[IMPORTS].create("acme", integration, "contacts", "companies", items)
    # As a crashed runner left it: the first 6 sent, 3 of them written by the CRM.
    await app[IMPORTS].mark_sent(job.id, range(6))
    for n in range(3):
        hubspot.state.associate("contacts", str(1 + n), "companies", "1001")

    await app[RUNNER].submit(job.id)
    done = await finished(api, job.id)
    sent = [
        i["from"]["id"]
        for c in hubspot.state.calls
        if c.path.endswith("/batch/create")
        for i in c.body["inputs"]
    ]
    assert done["status"] == "COMPLETE"
    if reads:
        assert (done["succeeded"], done["failed"]) == (10, 0)
        assert sorted(sent, key=int) == [str(1 + n) for n in range(3, 10)]
    else:
        assert (done["succeeded"], done["failed"]) == (4, 6)
        assert sorted(sent, key=int) == [str(1 + n) for n in range(6, 10)]
        errors = await pages(api, ERRORS, job.id)
        assert [e["index"] for e in errors] == list(range(6))
        assert {e["code"] for e in errors} == {"OUTCOME_UNKNOWN"}
