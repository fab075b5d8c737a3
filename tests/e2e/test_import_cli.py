"""``crmgraph import`` as a subprocess against a test server (crmgraph in this process, HubSpot's
emulator on loopback): progress, summary, the failures file, and --resume."""

from __future__ import annotations

import asyncio
import csv
from typing import Any

from tests.harness import KEYS, Api
from tests.imports import batch_creates, fast_hubspot
from tests.serve import CRMGRAPH


async def _crmgraph_import(*args: str) -> tuple[int, str]:
    process = await asyncio.create_subprocess_exec(
        str(CRMGRAPH),
        "import",
        *args,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
        env={"PATH": "/usr/bin:/bin", "COLUMNS": "160"},
    )
    out, _ = await process.communicate()
    assert process.returncode is not None
    return process.returncode, out.decode()


async def test_the_cli_shows_progress_and_writes_the_failed_rows(api: Api, hubspot: Any, tmp_path):
    hubspot.state.burst_limit, hubspot.state.interval_ms = 100_000, 1000
    integration = await fast_hubspot(api)
    rows = [f"{c},{co}" for c in range(1, 11) for co in range(1001, 1101)]
    rows[10] = "1,1011,extra,cells"  # line 12: malformed
    rows[20] = "999999,1021"  # line 22: HubSpot has no such contact
    source = tmp_path / "pairs.csv"
    source.write_text("from_id,to_id\n" + "\n".join(rows) + "\n")
    failures = tmp_path / "failures.csv"
    url = str(api.client.make_url("/graphql"))
    common = ["--url", url, "--api-key", KEYS["acme"], "--failures", str(failures)]

    code, out = await _crmgraph_import(
        str(source),
        "--integration",
        integration,
        "--from-type",
        "contacts",
        "--to-type",
        "companies",
        "--type",
        "contact_to_company",
        *common,
    )
    assert code == 2, out  # complete, with failed rows
    assert "started (1,000 rows)" in out
    assert "1000/1000" in out  # the bar, at its end
    assert "items/s" in out
    assert "ETA" in out
    assert "COMPLETE: 1,000 rows, 998 created, 2 failed in " in out
    assert "line 12: BAD_ROW" in out
    with failures.open() as f:
        written = list(csv.DictReader(f))
    assert [(r["line"], r["from_id"]) for r in written] == [("12", ""), ("22", "999999")]
    assert written[0]["code"] == "BAD_ROW"
    assert "4 cells" in written[0]["message"]
    assert written[1]["code"]
    assert written[1]["message"]
    sent = batch_creates(999)  # the good rows, each sent once
    assert hubspot.state.count("POST", "/batch/create") == sent

    job_id = out.split("--resume ")[1].split()[0]
    failures.unlink()
    code, again = await _crmgraph_import("--resume", job_id, *common)
    assert code == 2, again
    assert "COMPLETE: 1,000 rows, 998 created, 2 failed" in again
    assert failures.exists()
    assert hubspot.state.count("POST", "/batch/create") == sent  # re-attached, nothing re-sent


async def test_the_cli_reports_a_refused_start(api: Api, hubspot: Any, tmp_path):
    source = tmp_path / "pairs.csv"
    source.write_text("from_id,to_id\n1,1001\n")
    url = str(api.client.make_url("/graphql"))
    code, out = await _crmgraph_import(
        str(source),
        "--integration",
        "00000000-0000-4000-8000-00000000dead",
        "--from-type",
        "contacts",
        "--to-type",
        "companies",
        "--url",
        url,
        "--api-key",
        KEYS["acme"],
    )
    assert code == 1
    assert "NOT_FOUND" in out
    code, out = await _crmgraph_import("--resume", "x", "--url", url, "--api-key", "wrong-key")
    assert code == 1
    assert "refused" in out
