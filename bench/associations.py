"""Benchmark: batchCreateAssociations end to end, crmgraph against the HubSpot emulator.

    .venv/bin/python bench/associations.py [--sizes 1,100,1000,10000] [--repeats 3]
        [--tracemalloc] [--profile N] [--patch FILE] [--strict]

See bench/README.md for how to read the output.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import functools
import gc
import io
import json
import math
import os
import platform
import pstats
import resource
import runpy
import statistics
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

SCRIPT = Path(__file__).resolve()
ROOT = SCRIPT.parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import aiohttp  # noqa: E402
from aiohttp import web  # noqa: E402

SIZES = (1, 100, 1_000, 10_000)
CPU_GOAL_N, CPU_GOAL_S = 10_000, 0.35  # issue 11: half the server cost
RSS_GOAL_MB = 150.0
WARMUP = 100  # inputs in the untimed first request
API_KEY = "bench-key-0123456789"
HUBSPOT_TOKEN = "hs-bench-token"

BATCH = """mutation($id: ID!, $inputs: [AssociationInput!]!) {
  batchCreateAssociations(integrationId: $id, fromObjectType: "contacts",
                          toObjectType: "companies", inputs: $inputs) {
    status numErrors
    results { from { id } to { id } type }
    errors { category message items { from { id } to { id } } }
  }
}"""
# The same mutation without the per-item output: the difference is the cost of `results`.
BATCH_LEAN = BATCH.replace("    results { from { id } to { id } type }\n", "")
# An integration that does not exist: refused after the arguments are parsed and checked.
UNKNOWN_INTEGRATION = "00000000-0000-4000-8000-0000000be4c0"

CREATE_INTEGRATION = """mutation($input: CreateCrmIntegrationInput!) {
  createCrmIntegration(input: $input) { id } }"""


# -- the server side (a child process) ---------------------------------------------------------
@dataclass
class EmulatorClock:
    """Time the emulator spends inside its app (outermost middleware: recording, auth, handler)."""

    wall: float = 0.0
    cpu: float = 0.0  # thread_time of the event-loop thread, so the SQLite thread is not counted
    requests: int = 0

    def middleware(self) -> Any:
        @web.middleware
        async def timing(request: web.Request, handler: Any) -> web.StreamResponse:
            wall0, cpu0 = time.perf_counter(), time.thread_time()
            try:
                response: web.StreamResponse = await handler(request)
                return response
            finally:
                self.wall += time.perf_counter() - wall0
                self.cpu += time.thread_time() - cpu0
                self.requests += 1

        return timing


@dataclass
class GcClock:
    """CPU spent in the cyclic garbage collector (gc.callbacks), all generations."""

    total: float = 0.0
    collections: int = 0
    _started: float = 0.0

    def __call__(self, phase: str, info: dict[str, Any]) -> None:
        if phase == "start":
            self._started = time.thread_time()
        else:
            self.total += time.thread_time() - self._started
            self.collections += 1


def _rss_mb() -> float:
    # ru_maxrss is KiB on Linux, bytes on macOS.
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def _batch_sizes(settings: Any) -> tuple[int, int]:
    """Inputs per batch-create and per associate-default call: a forced setting, else
    HubSpot's documented maximum for the API version."""
    from providers.hubspot.paths import HubSpotPaths

    paths = HubSpotPaths(settings.hubspot_api_version)
    forced = settings.hubspot_v4_batch_limit if paths.dated else settings.hubspot_v3_batch_limit
    create = paths.batch_create("contacts", "companies").max_inputs
    default = paths.associate_default("contacts", "companies").max_inputs
    assert create is not None
    assert default is not None
    return int(forced or create), int(settings.hubspot_v4_batch_limit or default)


def _say(**message: Any) -> None:
    sys.stdout.write(json.dumps(message) + "\n")
    sys.stdout.flush()


async def _commands(begin: Callable[[dict[str, Any]], None], end: Callable[..., Any]) -> None:
    """Answer the parent's `begin` / `end` commands (JSON lines on stdin) until `quit`."""
    loop = asyncio.get_running_loop()
    stdin = asyncio.StreamReader()
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(stdin), sys.stdin)
    while line := await stdin.readline():
        command = json.loads(line)
        if command["cmd"] == "begin":
            begin(command)
            _say(ok=True)
        elif command["cmd"] == "end":
            _say(**end(command))
        else:
            break


async def _emulator_child(max_id: int) -> None:
    """The HubSpot emulator in a process of its own: none of its memory or CPU is crmgraph's."""
    from emulators.common import serve_app
    from emulators.hubspot import HubSpotState, create_app

    # Bodies of recorded calls are dropped once answered: only their number is read here.
    state = HubSpotState(tokens={HUBSPOT_TOKEN}, rate_limit_enabled=False, keep_bodies=False)
    ids = [str(i) for i in range(1, max_id + 1)]
    state.add_records("contacts", *ids)
    state.add_records("companies", *ids)
    clock = EmulatorClock()
    emulator_app = create_app(state)
    emulator_app.middlewares.insert(0, clock.middleware())
    emulator = await serve_app(emulator_app, state)

    def begin(command: dict[str, Any]) -> None:
        state.reset_calls()
        clock.wall = clock.cpu = 0.0
        clock.requests = 0

    def end(command: dict[str, Any]) -> dict[str, Any]:
        return {"emulator_wall": clock.wall, "emulator_cpu": clock.cpu, "calls": len(state.calls)}

    _say(url=emulator.url, token=HUBSPOT_TOKEN)
    try:
        await _commands(begin, end)
    finally:
        await emulator.close()


async def _child(emulator_url: str, patches: list[str]) -> None:
    """crmgraph alone, as `crmgraph serve` runs it; commands on stdin, JSON on stdout."""
    for patch in patches:  # experiments (monkeypatches) to compare against the tree as it is
        runpy.run_path(patch, run_name="bench_patch")
    from gql.app import build_app
    from gql.settings import Settings

    tmp = tempfile.TemporaryDirectory(prefix="crmgraph-bench-")
    gc_clock = GcClock()
    gc.callbacks.append(gc_clock)
    # The settings the end-to-end tests use (tests/harness.py), spelled out so the benchmark
    # does not move with the test harness. Everything else keeps its default.
    settings = Settings(
        api_keys=f"bench:{API_KEY}",
        database_url=f"sqlite+aiosqlite:///{Path(tmp.name) / 'crmgraph.db'}",
        secret_key="bench-secret-key-for-credentials",
        hubspot_base_url=emulator_url,
        allow_insecure_upstreams=True,
        graphiql=False,
    )
    runner = web.AppRunner(build_app(settings), access_log=None)  # as `crmgraph serve`
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    host, port = runner.addresses[0][:2]
    started = {"cpu": 0.0}
    profiler: list[cProfile.Profile] = []

    def begin(command: dict[str, Any]) -> None:
        gc.collect()  # each run starts clean, not paying for the previous run's cycles
        gc_clock.total, gc_clock.collections = 0.0, 0
        if command.get("trace"):
            tracemalloc.start()
            tracemalloc.reset_peak()
        if command.get("profile"):
            profiler.append(cProfile.Profile())
            profiler[0].enable()
        started["cpu"] = time.process_time()

    def end(command: dict[str, Any]) -> dict[str, Any]:
        cpu = time.process_time() - started["cpu"]
        traced = None
        if profiler:
            profiler[0].disable()
            profiler.pop().dump_stats(command["profile_path"])
        if tracemalloc.is_tracing():
            traced = tracemalloc.get_traced_memory()[1] / (1024 * 1024)
            tracemalloc.stop()
        return {
            "cpu": cpu,
            "gc": gc_clock.total,
            "gc_collections": gc_clock.collections,
            "rss_mb": _rss_mb(),
            "traced_mb": traced,
        }

    create_size, default_size = _batch_sizes(settings)
    _say(
        url=f"http://{host}:{port}/graphql",
        key=API_KEY,
        rss_mb=_rss_mb(),
        batch_limit=create_size,
        default_batch_limit=default_size,
        concurrency=settings.batch_concurrency,
    )
    try:
        await _commands(begin, end)
    finally:
        await runner.cleanup()
        tmp.cleanup()


# -- the load client (this process) ------------------------------------------------------------
@dataclass
class Run:
    wall: float  # end to end, seen by the client
    cpu: float  # the server process (crmgraph alone), all threads
    emulator_wall: float
    emulator_cpu: float
    calls: int  # upstream calls the emulator received
    rss_mb: float
    gc: float  # CPU in the cyclic garbage collector, crmgraph's process

    @property
    def server_cpu(self) -> float:
        return self.cpu


def _median(runs: list[Run], value: Callable[[Run], float]) -> float:
    return float(statistics.median(value(r) for r in runs))


@dataclass
class Row:
    n: int
    minimum: int
    runs: list[Run] = field(default_factory=list)
    baseline_rss_mb: float = 0.0
    peak_rss_mb: float = 0.0
    traced_mb: float | None = None
    # variant name -> runs, for the CPU breakdown at the largest N
    variants: dict[str, list[Run]] = field(default_factory=dict)

    def median(self, attr: str) -> float:
        return _median(self.runs, lambda r: float(getattr(r, attr)))

    @property
    def calls(self) -> set[int]:
        return {r.calls for r in self.runs}

    @property
    def overhead(self) -> float:
        return self.median("wall") - self.median("emulator_wall")


class Child:
    """A process of this script speaking JSON lines: a hello, then an answer per command."""

    def __init__(self, proc: asyncio.subprocess.Process) -> None:
        self.proc = proc

    @classmethod
    async def start(cls, *argv: str) -> tuple[Child, dict[str, Any]]:
        proc = await asyncio.create_subprocess_exec(
            sys.executable,
            str(SCRIPT),
            *argv,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
        )
        child = cls(proc)
        return child, await child.read()

    async def read(self) -> dict[str, Any]:
        assert self.proc.stdout is not None
        line = await self.proc.stdout.readline()
        if not line:
            raise RuntimeError(f"the server process exited (code {await self.proc.wait()})")
        answer: dict[str, Any] = json.loads(line)
        return answer

    async def ask(self, **command: Any) -> dict[str, Any]:
        assert self.proc.stdin is not None
        self.proc.stdin.write((json.dumps(command) + "\n").encode())
        await self.proc.stdin.drain()
        return await self.read()

    async def stop(self) -> None:
        assert self.proc.stdin is not None
        if self.proc.returncode is None:
            self.proc.stdin.write(b'{"cmd": "quit"}\n')
            await self.proc.stdin.drain()
            self.proc.stdin.close()
        await self.proc.wait()


class Stack:
    """The HubSpot emulator and crmgraph, each in its own process; commands go to both."""

    def __init__(self, emulator: Child, server: Child) -> None:
        self.emulator, self.server = emulator, server

    @classmethod
    async def start(cls, max_id: int, patches: list[str]) -> tuple[Stack, dict[str, Any]]:
        emulator, upstream = await Child.start("--emulator", str(max_id))
        argv = ["--child", upstream["url"]]
        for patch in patches:
            argv += ["--patch", patch]
        server, hello = await Child.start(*argv)
        return cls(emulator, server), {**hello, "token": upstream["token"]}

    async def ask(self, **command: Any) -> dict[str, Any]:
        # Outside the timed window: the order of the two does not show in the figures.
        upstream = await self.emulator.ask(**command)
        return {**upstream, **await self.server.ask(**command)}

    async def stop(self) -> None:
        await self.server.stop()
        await self.emulator.stop()


def _inputs(n: int) -> list[dict[str, Any]]:
    return [
        {"from": {"id": str(i)}, "to": {"id": str(i)}, "type": "contact_to_company"}
        for i in range(1, n + 1)
    ]


def _body(query: str, integration_id: str, n: int) -> bytes:
    variables = {"id": integration_id, "inputs": _inputs(n)}
    return json.dumps({"query": query, "variables": variables}).encode()


async def _post(session: aiohttp.ClientSession, url: str, key: str, body: bytes) -> bytes:
    headers = {"Authorization": f"Bearer {key}", "Content-Type": "application/json"}
    async with session.post(url, data=body, headers=headers) as response:
        raw = await response.read()
        if response.status != 200:
            raise RuntimeError(f"HTTP {response.status}: {raw[:300]!r}")
        return raw


async def create_integration(http: aiohttp.ClientSession, hello: dict[str, Any]) -> str:
    """Register the emulator's HubSpot account with the server the child announced."""
    create = {
        "query": CREATE_INTEGRATION,
        "variables": {
            "input": {
                "provider": "HUBSPOT",
                "name": "bench",
                "credentials": {"accessToken": hello["token"]},
            }
        },
    }
    created = json.loads(await _post(http, hello["url"], hello["key"], json.dumps(create).encode()))
    return str(created["data"]["createCrmIntegration"]["id"])


def _check_batch(raw: bytes, n: int, *, lean: bool = False) -> None:
    answer = json.loads(raw)
    batch = (answer.get("data") or {}).get("batchCreateAssociations")
    if answer.get("errors") or batch is None:
        raise RuntimeError(f"GraphQL errors: {str(answer.get('errors'))[:300]}")
    if batch["numErrors"] != 0 or (not lean and len(batch["results"]) != n):
        raise RuntimeError(f"N={n}: {batch['numErrors']} errors, {str(batch)[:300]}")


def _check_not_found(raw: bytes, n: int) -> None:
    errors = json.loads(raw).get("errors") or [{}]
    if errors[0].get("extensions", {}).get("code") != "NOT_FOUND":
        raise RuntimeError(f"N={n}: expected NOT_FOUND, got {str(errors)[:300]}")


class Session:
    """One server process, one load client: posts a payload and reads the server's figures."""

    def __init__(self, child: Stack, http: aiohttp.ClientSession, url: str, key: str) -> None:
        self.child, self.http, self.url, self.key = child, http, url, key
        self.last: dict[str, Any] = {}  # the server's figures for the last run

    async def run(self, payload: bytes, check: Callable[[bytes], None], **begin: Any) -> Run:
        end_args = {"profile_path": begin.pop("profile_path")} if "profile_path" in begin else {}
        await self.child.ask(cmd="begin", **begin)
        started = time.perf_counter()
        raw = await _post(self.http, self.url, self.key, payload)
        wall = time.perf_counter() - started
        stats = await self.child.ask(cmd="end", **end_args)
        check(raw)
        self.last = stats
        return Run(
            wall,
            stats["cpu"],
            stats["emulator_wall"],
            stats["emulator_cpu"],
            stats["calls"],
            stats["rss_mb"],
            stats["gc"],
        )


async def measure(n: int, args: argparse.Namespace, breakdown: bool) -> Row:
    child, hello = await Stack.start(n, args.patch)
    limit = hello["batch_limit"]
    row = Row(n, math.ceil(n / limit), baseline_rss_mb=hello["rss_mb"])
    try:
        async with aiohttp.ClientSession() as http:
            bench = Session(child, http, hello["url"], hello["key"])
            integration = await create_integration(http, hello)

            # Warm-up (not measured): first-request costs such as opening the SQLite connection.
            warm = min(n, WARMUP)
            _check_batch(
                await _post(http, bench.url, bench.key, _body(BATCH, integration, warm)), warm
            )

            payload = _body(BATCH, integration, n)
            full = functools.partial(_check_batch, n=n)
            for _ in range(args.repeats):
                row.runs.append(await bench.run(payload, full))
            row.peak_rss_mb = max(r.rss_mb for r in row.runs)

            # After the RSS reading: these add allocations of their own, or slow the server down.
            if breakdown:
                lean = _body(BATCH_LEAN, integration, n)
                refused = _body(BATCH, UNKNOWN_INTEGRATION, n)
                row.variants = {"lean": [], "refused": []}
                check_lean = functools.partial(_check_batch, n=n, lean=True)
                not_found = functools.partial(_check_not_found, n=n)
                for _ in range(args.repeats):
                    row.variants["lean"].append(await bench.run(lean, check_lean))
                    row.variants["refused"].append(await bench.run(refused, not_found))
            if args.tracemalloc:
                await bench.run(payload, full, trace=True)
                row.traced_mb = bench.last["traced_mb"]
            if args.profile == n:
                await bench.run(payload, full, profile=True, profile_path=args.profile_path)
    finally:
        await child.stop()
    return row


# -- report ------------------------------------------------------------------------------------
def _ms(seconds: float) -> str:
    return f"{seconds * 1000:,.1f}"


def table(rows: list[Row]) -> str:
    lines = [
        "| N | upstream calls (minimum) | end to end ms | emulator ms | crmgraph overhead ms "
        "(% of end to end) | crmgraph CPU ms | CPU µs per association | peak RSS MB "
        "| tracemalloc peak MB |",
        "|--:|--:|--:|--:|--:|--:|--:|--:|--:|",
    ]
    for row in rows:
        calls = "/".join(f"{c:,}" for c in sorted(row.calls))
        wall = row.median("wall")
        cpu = row.median("server_cpu")
        share = row.overhead / wall * 100 if wall else 0.0
        traced = "-" if row.traced_mb is None else f"{row.traced_mb:,.1f}"
        lines.append(
            f"| {row.n:,} | {calls} ({row.minimum:,}) | {_ms(wall)} "
            f"| {_ms(row.median('emulator_wall'))} | {_ms(row.overhead)} ({share:.0f}%) "
            f"| {_ms(cpu)} | {cpu / row.n * 1e6:,.0f} "
            f"| {row.peak_rss_mb:,.1f} | {traced} |"
        )
    return "\n".join(lines)


def breakdown_table(row: Row) -> str:
    full = row.median("server_cpu")
    lean = _median(row.variants["lean"], lambda r: r.server_cpu)
    refused = _median(row.variants["refused"], lambda r: r.server_cpu)
    parts = [
        (
            "HTTP request in, GraphQL parse/validate, variable coercion, argument conversion, "
            "input checks, integration lookup (request refused as NOT_FOUND)",
            refused,
        ),
        (
            f"the upstream calls ({row.minimum:,}): chunking, JSON, HTTP both ends, retry wrapper, "
            "wire parsing, merge (`results` not selected, minus the row above)",
            lean - refused,
        ),
        ("building and serialising `results` (full minus `results` not selected)", full - lean),
    ]
    lines = [
        f"| N={row.n:,}: crmgraph CPU | ms | share |",
        "|:--|--:|--:|",
    ]
    for name, cpu in parts:
        lines.append(f"| {name} | {_ms(cpu)} | {cpu / full * 100:.0f}% |")
    lines.append(f"| total (full mutation) | {_ms(full)} | 100% |")
    gc_full = row.median("gc")
    lines.append(
        f"| of which, across the rows above: cyclic GC (crmgraph's process) "
        f"| {_ms(gc_full)} | {gc_full / full * 100:.0f}% |"
    )
    return "\n".join(lines)


def verdicts(rows: list[Row]) -> list[tuple[bool, str]]:
    out: list[tuple[bool, str]] = []
    bad = [r for r in rows if r.calls != {r.minimum}]
    detail = "; ".join(f"N={r.n:,}: {sorted(r.calls)} vs {r.minimum}" for r in bad)
    summary = ", ".join(f"{r.n:,}->{r.minimum:,}" for r in rows)
    out.append(
        (
            not bad,
            "upstream calls == minimum (ceil of N over the batch size) at every N"
            + (f": {detail}" if bad else f" ({summary})"),
        )
    )
    goal = next((r for r in rows if r.n == CPU_GOAL_N), None)
    what = f"{CPU_GOAL_N:,} associations in < {CPU_GOAL_S:g} s of crmgraph CPU on one core"
    if goal is None:
        out.append((False, f"{what}: not measured (add {CPU_GOAL_N} to --sizes)"))
    else:
        cpu = goal.median("server_cpu")
        out.append(
            (
                cpu < CPU_GOAL_S,
                f"{what}: {cpu:.3f} s ({cpu / CPU_GOAL_S:.2f}x the budget; end to end "
                f"{goal.median('wall'):.3f} s wall)",
            )
        )
    peak = max(r.peak_rss_mb for r in rows)
    out.append((peak < RSS_GOAL_MB, f"peak RSS < {RSS_GOAL_MB:g} MB: {peak:,.1f} MB"))
    return out


def header(args: argparse.Namespace) -> str:
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    patch = (
        f"\nEXPERIMENT, not the tree as it is: patched with {', '.join(args.patch)}."
        if args.patch
        else ""
    )
    return f"""# crmgraph benchmark: batchCreateAssociations (HubSpot 2026-09 batch create)

Layout: this process is the load client (aiohttp, loopback). For each N two fresh child
processes start: crmgraph (`build_app`, as `crmgraph serve` runs it; fresh SQLite DB in a temp
dir) and the HubSpot emulator (rate limit off, contacts and companies 1..N seeded). The
crmgraph process's CPU time and RSS are crmgraph's alone.
- end to end: client wall time from sending the mutation (N inputs) to the full reply (N results).
- emulator: wall time inside the emulator app (timing middleware outermost), summed over calls.
- crmgraph overhead: end to end minus emulator time (includes the loopback hops and the client).
- crmgraph CPU: the crmgraph process's CPU over the run (all threads, aiosqlite's too).
- peak RSS: ru_maxrss of the crmgraph process after the timed runs (it never goes down).
- tracemalloc peak (--tracemalloc): one extra untimed run; Python allocations of crmgraph.
Median of {args.repeats} runs after one untimed warm-up of min(N, 100) inputs; a full gc.collect()
(untimed) before each run, so no run pays for the garbage of the one before.
crmgraph settings: the defaults (HubSpot API 2026-09, batches at its documented 2,000 inputs,
batch_concurrency=4).
Machine: {platform.python_implementation()} {platform.python_version()} on {platform.machine()}, \
{os.cpu_count()} CPUs, load average {load} at start.
Wall times move with the machine's load; CPU times less, but still by 20% or so on a busy
machine: compare runs made side by side.{patch}
"""


async def main_async(args: argparse.Namespace) -> int:
    print(header(args))
    rows = []
    for n in args.sizes:
        breakdown = n == max(args.sizes) and not args.no_breakdown
        row = await measure(n, args, breakdown)
        rows.append(row)
        print(
            f"  N={n:>6,}: {_ms(row.median('wall'))} ms end to end, "
            f"{_ms(row.median('server_cpu'))} ms crmgraph CPU, "
            f"RSS {row.baseline_rss_mb:.1f} MB after startup -> {row.peak_rss_mb:.1f} MB peak",
            flush=True,
        )
    print()
    print(table(rows))
    results = verdicts(rows)
    print()
    for ok, text in results:
        print(f"- {'PASS' if ok else 'FAIL'}: {text}")
    if rows and rows[-1].variants:
        print(f"\n## Where crmgraph's CPU goes (N={rows[-1].n:,}, medians)\n")
        print(breakdown_table(rows[-1]))
    if args.profile is not None:
        out = io.StringIO()
        stats = pstats.Stats(args.profile_path, stream=out)
        stats.sort_stats("tottime").print_stats(25)
        print(f"\n## cProfile of one N={args.profile:,} run (crmgraph + emulator), by tottime\n")
        print(out.getvalue().strip())
        print(f"\n(full profile: {args.profile_path}; `python -m pstats {args.profile_path}`)")
    return 1 if args.strict and not all(ok for ok, _ in results) else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--child", metavar="EMULATOR_URL", help=argparse.SUPPRESS)
    parser.add_argument("--emulator", type=int, metavar="MAX_ID", help=argparse.SUPPRESS)
    parser.add_argument(
        "--sizes",
        type=lambda s: sorted({int(x.replace("_", "")) for x in s.split(",")}),
        default=list(SIZES),
        help="comma-separated N (default 1,100,1000,10000; at most CRMGRAPH_MAX_BATCH_INPUTS)",
    )
    parser.add_argument("--repeats", type=int, default=3, help="timed runs per N (median)")
    parser.add_argument(
        "--tracemalloc", action="store_true", help="one extra run per N with tracemalloc (slow)"
    )
    parser.add_argument(
        "--no-breakdown", action="store_true", help="skip the CPU breakdown at the largest N"
    )
    parser.add_argument("--profile", type=int, metavar="N", help="also cProfile one run at N")
    parser.add_argument(
        "--patch",
        metavar="FILE",
        action="append",
        default=[],
        help="run FILE in the server process before the app is built, to try a fix without "
        "editing the tree (repeatable; see bench/experiments/)",
    )
    parser.add_argument("--strict", action="store_true", help="exit 1 when a goal is missed")
    args = parser.parse_args()
    args.patch = [str(Path(p).resolve()) for p in args.patch]
    if args.emulator is not None:
        asyncio.run(_emulator_child(args.emulator))
        return 0
    if args.child is not None:
        asyncio.run(_child(args.child, args.patch))
        return 0
    if args.profile is not None:
        args.sizes = sorted({*args.sizes, args.profile})
        args.profile_path = str(Path(tempfile.gettempdir()) / f"crmgraph-bench-{args.profile}.prof")
    return asyncio.run(main_async(args))


if __name__ == "__main__":
    sys.exit(main())
