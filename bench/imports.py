"""Benchmark: association import throughput, crmgraph against the HubSpot emulator.

    .venv/bin/python bench/imports.py [--sizes 10000,100000] [--repeats 3] [--profile]
        [--hubspot-api-version 2026-09|legacy] [--database-url postgresql+asyncpg://...]

One process runs the HubSpot emulator and crmgraph on loopback (the emulator's rate limit set
far above what the import sends, so the figure is crmgraph's own ceiling). For each size it
uploads a CSV of N contact-to-company pairs through ``startAssociationImport`` (multipart) and
follows the job to COMPLETE; it prints the batch creates the emulator saw, the time to accept
the upload, the time to run the job, items per second and upstream calls per second. The
window and each call's size are the import's own (2,000 inputs a call on 2026-09, 100 on the
legacy v3 create: gql/imports/creation.py). HubSpot's batch association endpoints are
exempt from its ten-second limit (`x-hubspot-rate-limit-exemptions` in its specs), so what bounds
an import there is the daily quota (250,000 calls on Free and Starter), not a per-second rate.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import json
import os
import platform
import pstats
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import aiohttp  # noqa: E402
from aiohttp import web  # noqa: E402

API_KEY = "bench-key-0123456789"
HUBSPOT_TOKEN = "hs-bench-token"

START = """mutation($id: ID!, $input: AssociationImportInput!) {
  startAssociationImport(integrationId: $id, input: $input) { id total } }"""
JOB = """query($id: ID!) { associationImport(id: $id) {
  status total processed succeeded failed startedAt completedAt } }"""


async def _graphql(session: aiohttp.ClientSession, url: str, **kwargs: Any) -> dict[str, Any]:
    async with session.post(url, headers={"Authorization": f"Bearer {API_KEY}"}, **kwargs) as r:
        body: dict[str, Any] = await r.json()
    assert "errors" not in body, body
    data: dict[str, Any] = body["data"]
    return data


def _csv(n: int, contacts: int) -> bytes:
    rows = (f"{1 + i % contacts},{100_001 + i // contacts}\n" for i in range(n))
    return ("from_id,to_id\n" + "".join(rows)).encode()


async def run_once(
    n: int,
    workdir: str,
    accept_only: bool = False,
    api_version: str = "2026-09",
    database_url: str | None = None,
) -> dict[str, float]:
    from emulators.hubspot import HubSpotState
    from emulators.hubspot import serve as serve_hubspot
    from gql.app import build_app
    from gql.settings import Settings

    contacts = 1000
    state = HubSpotState(tokens={HUBSPOT_TOKEN}, burst_limit=10_000_000, interval_ms=1000)
    state.daily_limit = 10_000_000
    state.add_records("contacts", *[str(i) for i in range(1, contacts + 1)])
    state.add_records("companies", *[str(100_001 + i) for i in range(n // contacts + 1)])
    hubspot = await serve_hubspot(state)
    db = Path(workdir) / f"bench-{n}-{time.monotonic_ns()}.db"
    settings = Settings(
        api_keys=f"bench:{API_KEY}",
        # PostgreSQL: the job runs on saq's queue there, as on a production replica.
        database_url=database_url or f"sqlite+aiosqlite:///{db}",
        secret_key="bench-secret",
        allow_insecure_upstreams=True,
        hubspot_base_url=hubspot.url,
        hubspot_api_version=api_version,
    )
    runner = web.AppRunner(build_app(settings), access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    url = f"http://127.0.0.1:{port}/graphql"
    try:
        async with aiohttp.ClientSession() as session:
            created = await _graphql(
                session,
                url,
                json={
                    "query": """mutation($input: CreateCrmIntegrationInput!) {
                      createCrmIntegration(input: $input) { id } }""",
                    "variables": {
                        "input": {
                            "provider": "HUBSPOT",
                            "name": "bench",
                            "credentials": {"accessToken": HUBSPOT_TOKEN},
                            "rateLimits": {"requestsPerInterval": 100_000, "intervalSeconds": 1},
                        }
                    },
                },
            )
            integration = created["createCrmIntegration"]["id"]
            form = aiohttp.FormData()
            variables = {
                "id": integration,
                "input": {
                    "fromObjectType": "contacts",
                    "toObjectType": "companies",
                    "type": "contact_to_company",
                    "file": None,
                },
            }
            form.add_field("operations", json.dumps({"query": START, "variables": variables}))
            form.add_field("map", json.dumps({"0": ["variables.input.file"]}))
            form.add_field("0", _csv(n, contacts), filename="pairs.csv", content_type="text/csv")
            sent = time.perf_counter()
            started = await _graphql(session, url, data=form)
            accepted = time.perf_counter() - sent
            job_id = started["startAssociationImport"]["id"]
            if accept_only:
                cancel = "mutation($id: ID!) { cancelAssociationImport(id: $id) { id } }"
                await _graphql(session, url, json={"query": cancel, "variables": {"id": job_id}})
                rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
                return {"accept_s": accepted, "peak_rss_mb": rss}
            while True:  # the benchmark polls; the tests follow the subscription
                job = (
                    await _graphql(session, url, json={"query": JOB, "variables": {"id": job_id}})
                )["associationImport"]
                if job["status"] not in ("PENDING", "PROCESSING"):
                    break
                await asyncio.sleep(0.05)
            total = time.perf_counter() - sent
    finally:
        await runner.cleanup()
        await hubspot.close()
    if job["status"] != "COMPLETE" or job["succeeded"] != n:
        raise SystemExit(f"the import did not complete: {job}")
    calls = state.count("POST", "/batch/create")
    return {"accept_s": accepted, "total_s": total, "run_s": total - accepted, "calls": calls}


async def main_async(args: argparse.Namespace) -> int:
    sizes = [int(s) for s in args.sizes.split(",")]
    if args.accept_only:
        print("| N | CSV MB | accept upload s | peak RSS MB (this process) |")
        print("|--:|--:|--:|--:|")
        with tempfile.TemporaryDirectory() as workdir:
            for n in sizes:
                run = await run_once(n, workdir, accept_only=True)
                size = len(_csv(n, 1000)) / 1e6
                print(f"| {n:,} | {size:.1f} | {run['accept_s']:.2f} | {run['peak_rss_mb']:.0f} |")
        return 0
    print(
        f"# bench/imports.py: {platform.python_version()} on {platform.machine()}, "
        f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}; "
        f"HubSpot API {args.hubspot_api_version}; "
        f"{'PostgreSQL (saq queue)' if args.database_url else 'SQLite (in-process jobs)'}; "
        f"median of {args.repeats} runs"
    )
    print()
    print(
        "| N | upstream calls | accept upload s | run s | items/s (end to end) | upstream calls/s |"
    )
    print("|--:|--:|--:|--:|--:|--:|")
    with tempfile.TemporaryDirectory() as workdir:
        for n in sizes:
            runs = [
                await run_once(
                    n,
                    workdir,
                    api_version=args.hubspot_api_version,
                    database_url=args.database_url,
                )
                for _ in range(args.repeats)
            ]
            accept = statistics.median(r["accept_s"] for r in runs)
            run = statistics.median(r["run_s"] for r in runs)
            rate = n / statistics.median(r["total_s"] for r in runs)
            calls = int(runs[0]["calls"])
            print(
                f"| {n:,} | {calls:,} | {accept:.2f} | {run:.2f} | {rate:,.0f} "
                f"| {calls / run:,.1f} |"
            )
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--profile", action="store_true", help="print the top of a cProfile")
    parser.add_argument(
        "--hubspot-api-version",
        choices=("2026-09", "legacy"),
        default="2026-09",
        help="legacy: the v3 batch create, 100 inputs a call",
    )
    parser.add_argument(
        "--database-url",
        metavar="URL",
        help="a postgresql+asyncpg:// URL: jobs on saq's PostgreSQL queue (default: a fresh "
        "SQLite file per run, jobs in process)",
    )
    parser.add_argument(
        "--accept-only",
        action="store_true",
        help="only time accepting the upload (then cancel): for sizes too large to run here",
    )
    args = parser.parse_args()
    if not args.profile:
        return asyncio.run(main_async(args))
    profile = cProfile.Profile()
    profile.enable()
    code = asyncio.run(main_async(args))
    profile.disable()
    pstats.Stats(profile).sort_stats("cumulative").print_stats(40)
    return code


if __name__ == "__main__":
    raise SystemExit(main())
