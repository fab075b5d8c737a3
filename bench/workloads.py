"""Benchmark: the request shapes clients send, crmgraph against the HubSpot emulator.

    .venv/bin/python bench/workloads.py [--repeats 3] [--only NAME,...]

Each workload gets fresh processes from ``associations.py``: crmgraph in one (as ``crmgraph
serve`` runs it), the HubSpot emulator in another, so the server's CPU and memory are its own.
For each: the upstream calls against the fewest the provider allows, the client's wall time,
crmgraph's CPU and peak RSS. See bench/README.md.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import platform
import statistics
import sys
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import aiohttp
from associations import Stack, _post, create_integration

MAX_ID = 10_000
DEFAULT = """mutation($id: ID!, $from: ID!, $to: ID!) {
  createDefaultAssociation(integrationId: $id, fromObjectType: "contacts", fromObjectId: $from,
                           toObjectType: "companies", toObjectId: $to) {
    status numErrors results { from { id } to { id } }
  }
}"""
BATCH = """mutation($id: ID!, $inputs: [AssociationInput!]!) {
  batchCreateAssociations(integrationId: $id, fromObjectType: "contacts",
                          toObjectType: "companies", inputs: $inputs) {
    status numErrors results { from { id } to { id } type }
  }
}"""
CPU_GOALS_MS = {"one small request": 2.0, "one large batch": 350.0}  # issue 11's goals
RSS_GOAL_MB = 150.0


@dataclass
class Shape:
    """A workload: what the client sends, and how many upstream calls it needs at least."""

    name: str
    what: str
    operations: int
    minimum: Callable[[dict[str, Any]], int]  # from the server's limits
    send: Callable[[Client], Awaitable[None]]
    most: int | None = None  # a goal on the calls made, where it is not the minimum itself


@dataclass
class Client:
    http: aiohttp.ClientSession
    url: str
    key: str
    integration: str

    async def post(self, body: Any) -> Any:
        return json.loads(await _post(self.http, self.url, self.key, json.dumps(body).encode()))


def _ok(answer: dict[str, Any], field_name: str) -> None:
    data = (answer.get("data") or {}).get(field_name)
    if answer.get("errors") or data is None or data["numErrors"]:
        raise RuntimeError(f"{field_name}: {str(answer)[:300]}")


def _default_body(client: Client, i: int) -> dict[str, Any]:
    variables = {"id": client.integration, "from": str(i), "to": str(i)}
    return {"query": DEFAULT, "variables": variables}


async def concurrent_singles(client: Client) -> None:
    answers = await asyncio.gather(*(client.post(_default_body(client, i)) for i in range(1, 201)))
    for answer in answers:
        _ok(answer, "createDefaultAssociation")


async def sequential_singles(client: Client) -> None:
    for i in range(1, 201):
        _ok(await client.post(_default_body(client, i)), "createDefaultAssociation")


async def http_array(client: Client) -> None:
    answers = await client.post([_default_body(client, i) for i in range(1, 51)])
    for answer in answers:
        _ok(answer, "createDefaultAssociation")


async def aliases(client: Client) -> None:
    fields = "\n".join(
        f'a{i}: createDefaultAssociation(integrationId: $id, fromObjectType: "contacts", '
        f'fromObjectId: "{i}", toObjectType: "companies", toObjectId: "{i}") {{ numErrors }}'
        for i in range(1, 31)
    )
    answer = await client.post(
        {"query": f"mutation($id: ID!) {{ {fields} }}", "variables": {"id": client.integration}}
    )
    if answer.get("errors") or any(v["numErrors"] for v in answer["data"].values()):
        raise RuntimeError(str(answer)[:300])


async def large_batch(client: Client) -> None:
    inputs = [
        {"from": {"id": str(i)}, "to": {"id": str(i)}, "type": "contact_to_company"}
        for i in range(1, 10_001)
    ]
    answer = await client.post(
        {"query": BATCH, "variables": {"id": client.integration, "inputs": inputs}}
    )
    _ok(answer, "batchCreateAssociations")
    if len(answer["data"]["batchCreateAssociations"]["results"]) != 10_000:
        raise RuntimeError("results missing")


SHAPES = [
    Shape(
        "concurrent singles",
        "200 HTTP requests at once, one createDefaultAssociation each",
        200,
        lambda limits: math.ceil(200 / limits["default_batch_limit"]),
        concurrent_singles,
        # Issue 11's goal: requests arriving over the coalescing window may split in two.
        most=2,
    ),
    Shape(
        "one small request",
        "200 requests one after another, one createDefaultAssociation each (per request)",
        200,
        lambda limits: 200,
        sequential_singles,
    ),
    Shape(
        "one HTTP array",
        "one request, a JSON array of 50 createDefaultAssociation operations",
        50,
        lambda limits: math.ceil(50 / limits["default_batch_limit"]),
        http_array,
    ),
    Shape(
        "aliases",
        "one operation, 30 aliased createDefaultAssociation fields",
        30,
        # A mutation's fields run one after another (GraphQL spec, "executed serially"): each
        # aliased field has its answer before the next starts, so none can share a call.
        lambda limits: 30,
        aliases,
    ),
    Shape(
        "one large batch",
        "one batchCreateAssociations of 10,000 inputs",
        10_000,
        lambda limits: math.ceil(10_000 / limits["batch_limit"]),
        large_batch,
    ),
]


@dataclass
class Result:
    shape: Shape
    minimum: int
    calls: list[int] = field(default_factory=list)
    wall: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)
    rss_mb: float = 0.0

    def median(self, values: list[float]) -> float:
        return float(statistics.median(values))

    @property
    def per_request(self) -> bool:
        return self.shape.name == "one small request"


async def measure(shape: Shape, repeats: int) -> Result:
    child, hello = await Stack.start(MAX_ID, [])
    result = Result(shape, shape.minimum(hello))
    try:
        # No client-side cap on connections: "200 at once" means 200 requests in flight.
        async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0)) as http:
            integration = await create_integration(http, hello)
            client = Client(http, hello["url"], hello["key"], integration)
            await shape.send(client)  # warm-up, not measured
            for _ in range(repeats):
                await child.ask(cmd="begin")
                started = time.perf_counter()
                await shape.send(client)
                result.wall.append(time.perf_counter() - started)
                stats = await child.ask(cmd="end")
                result.cpu.append(stats["cpu"])
                result.calls.append(stats["calls"])
                result.rss_mb = max(result.rss_mb, stats["rss_mb"])
    finally:
        await child.stop()
    return result


def table(results: list[Result]) -> str:
    lines = [
        "| workload | upstream calls (minimum) | end to end ms | crmgraph CPU ms "
        "| CPU per operation ms | peak RSS MB |",
        "|:--|--:|--:|--:|--:|--:|",
    ]
    for r in results:
        calls = "/".join(f"{c:,}" for c in sorted(set(r.calls)))
        cpu = r.median(r.cpu)
        lines.append(
            f"| {r.shape.name}: {r.shape.what} | {calls} ({r.minimum:,}) "
            f"| {r.median(r.wall) * 1000:,.1f} | {cpu * 1000:,.1f} "
            f"| {cpu * 1000 / r.shape.operations:,.2f} | {r.rss_mb:,.1f} |"
        )
    return "\n".join(lines)


def verdicts(results: list[Result]) -> list[tuple[bool, str]]:
    out = []
    for r in results:
        calls = sorted(set(r.calls))
        if r.shape.most is None:
            out.append((calls == [r.minimum], f"{r.shape.name}: upstream calls {calls} == minimum"))
        else:
            out.append(
                (
                    max(calls) <= r.shape.most,
                    f"{r.shape.name}: upstream calls {calls} <= {r.shape.most} "
                    f"(minimum {r.minimum})",
                )
            )
        goal = CPU_GOALS_MS.get(r.shape.name)
        if goal is not None:
            cpu = r.median(r.cpu) * 1000 / (r.shape.operations if r.per_request else 1)
            unit = " per request" if r.per_request else ""
            out.append((cpu <= goal, f"{r.shape.name}: {cpu:,.2f} ms CPU{unit} <= {goal:g} ms"))
    peak = max(r.rss_mb for r in results)
    out.append((peak < RSS_GOAL_MB, f"peak RSS < {RSS_GOAL_MB:g} MB: {peak:,.1f} MB"))
    return out


async def main_async(args: argparse.Namespace) -> int:
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    print(
        f"# crmgraph benchmark: request shapes\n\nMedians of {args.repeats} runs after one "
        f"untimed warm-up, a fresh server process per workload. {platform.python_version()} on "
        f"{os.cpu_count()} CPUs, load average {load} at start.\n"
    )
    results = []
    for shape in SHAPES:
        if args.only and shape.name not in args.only:
            continue
        results.append(await measure(shape, args.repeats))
        print(f"  {shape.name}: done", flush=True)
    print()
    print(table(results))
    print()
    checks = verdicts(results)
    for ok, text in checks:
        print(f"- {'PASS' if ok else 'FAIL'}: {text}")
    return 1 if args.strict and not all(ok for ok, _ in checks) else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3, help="timed runs per workload")
    parser.add_argument(
        "--only",
        type=lambda s: {x.strip() for x in s.split(",")},
        default=set(),
        help="comma-separated workload names",
    )
    parser.add_argument("--strict", action="store_true", help="exit 1 when a goal is missed")
    return asyncio.run(main_async(parser.parse_args()))


if __name__ == "__main__":
    sys.exit(main())
