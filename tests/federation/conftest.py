"""A crmgraph server on a loopback port, and the Node tools the federation tests run.

The Node side (Apollo gateway, composition, schema stitching) is installed by
``npm ci --prefix tests/federation``. Without node or that install these tests are
skipped, unless ``CI`` is set: CI must run them, so there they fail instead.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import shutil
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp import web

from gql.app import build_app
from gql.settings import Settings

HERE = Path(__file__).resolve().parent
NODE_MODULES = HERE / "node_modules"
REQUIRED_PACKAGES = (
    "@apollo/composition",
    "@apollo/gateway",
    "@graphql-tools/stitch",
    "@graphql-tools/batch-delegate",
    "graphql-schema-linter",
)
# Each tenant's key; "t" is the one the tests act as.
KEYS = {"t": "k", "other": "k2"}
AUTH = {"Authorization": "Bearer k"}
OTHER_AUTH = {"Authorization": "Bearer k2"}
# Bounds every wait on a child process or a request: no test waits longer.
DEADLINE_SECONDS = 20.0

CREATE = """
mutation Create($input: CreateCrmIntegrationInput!) {
  createCrmIntegration(input: $input) { id name provider isEnabled }
}
"""


def node_or_skip() -> str:
    """The node executable, with the federation packages installed beside these tests."""
    node = shutil.which("node")
    problem = None
    if node is None:
        problem = "node is not on PATH"
    elif not all((NODE_MODULES / p).is_dir() for p in REQUIRED_PACKAGES):
        problem = f"{NODE_MODULES} is missing: run `npm ci --prefix tests/federation`"
    if problem is None:
        assert node is not None
        return node
    if os.environ.get("CI", "").lower() not in {"", "0", "false"}:
        pytest.fail(f"federation tests must run in CI: {problem}")
    pytest.skip(problem)


@dataclass
class Crmgraph:
    url: str
    session: aiohttp.ClientSession
    # The JSON body of every POST /graphql the server received, in order.
    requests: list[Any] = field(default_factory=list)

    async def post(
        self,
        query: str,
        variables: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> dict[str, Any]:
        body: dict[str, Any] = {"query": query}
        if variables is not None:
            body["variables"] = variables
        async with self.session.post(
            self.url, json=body, headers=AUTH if headers is None else headers
        ) as resp:
            assert resp.status == 200, await resp.text()
            result: dict[str, Any] = await resp.json()
            return result

    async def create(
        self, name: str, headers: dict[str, str] | None = None, token: str = "x"
    ) -> str:
        variables = {
            "input": {"provider": "HUBSPOT", "name": name, "credentials": {"accessToken": token}}
        }
        result = await self.post(CREATE, variables, headers)
        assert "errors" not in result, result
        integration_id: str = result["data"]["createCrmIntegration"]["id"]
        return integration_id


@contextlib.asynccontextmanager
async def serve_crmgraph(tmp_path: Path, **settings: Any) -> AsyncIterator[Crmgraph]:
    """crmgraph on a loopback port (``settings`` override the defaults), recording requests."""
    requests: list[Any] = []

    @web.middleware
    async def record(request: web.Request, handler: Any) -> web.StreamResponse:
        if request.method == "POST" and request.path == "/graphql":
            requests.append(json.loads(await request.read()))  # read() is cached for the view
        response: web.StreamResponse = await handler(request)
        return response

    app = build_app(
        Settings(
            api_keys=",".join(f"{tenant}:{key}" for tenant, key in KEYS.items()),
            database_url=f"sqlite+aiosqlite:///{tmp_path}/db.sqlite",
            secret_key="x" * 32,
            **settings,
        )
    )
    app.middlewares.insert(0, record)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    try:
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        assert runner.addresses, "the server is not listening"
        host, port = runner.addresses[0][:2]
        timeout = aiohttp.ClientTimeout(total=DEADLINE_SECONDS)
        async with aiohttp.ClientSession(timeout=timeout, trust_env=False) as session:
            yield Crmgraph(f"http://{host}:{port}/graphql", session, requests)
    finally:
        await runner.cleanup()


@pytest.fixture
async def crmgraph(tmp_path: Path) -> AsyncIterator[Crmgraph]:
    async with serve_crmgraph(tmp_path) as server:
        yield server


class NodeProcess:
    """A node script run as a child; stopped (then killed) by ``close``."""

    def __init__(self, proc: asyncio.subprocess.Process) -> None:
        self.proc = proc
        assert proc.stderr is not None
        # Read all along, so a chatty child never blocks on a full pipe.
        self._stderr = asyncio.ensure_future(proc.stderr.read())

    async def read_json_line(self) -> dict[str, Any]:
        """The first stdout line, as JSON; fails with the child's stderr otherwise."""
        assert self.proc.stdout is not None
        try:
            async with asyncio.timeout(DEADLINE_SECONDS):
                line = await self.proc.stdout.readline()
        except TimeoutError:
            pytest.fail(f"no ready line in {DEADLINE_SECONDS}s; stderr: {await self.close()}")
        if not line:
            stderr = await self.close()
            pytest.fail(f"exited {self.proc.returncode} before ready; stderr: {stderr}")
        value: dict[str, Any] = json.loads(line)
        return value

    async def finish(self) -> tuple[int, str, str]:
        """Waits for the child to exit by itself: (exit code, stdout, stderr)."""
        assert self.proc.stdout is not None
        try:
            async with asyncio.timeout(DEADLINE_SECONDS):
                stdout = await self.proc.stdout.read()
                await self.proc.wait()
        except TimeoutError:
            pytest.fail(f"still running after {DEADLINE_SECONDS}s; stderr: {await self.close()}")
        stderr = await self.close()
        assert self.proc.returncode is not None
        return self.proc.returncode, stdout.decode(), stderr

    async def close(self) -> str:
        """Ends the child if it runs (stdin closed, SIGTERM, then SIGKILL); its stderr."""
        if self.proc.stdin is not None:
            self.proc.stdin.close()
        if self.proc.returncode is None:
            self.proc.terminate()
            try:
                async with asyncio.timeout(5):
                    await self.proc.wait()
            except TimeoutError:
                self.proc.kill()
                await self.proc.wait()
        if self.proc.stdout is not None:
            await self.proc.stdout.read()
        return (await self._stderr).decode(errors="replace")


class NodeRunner:
    """Starts node scripts from this folder; the fixture stops every one at the test's end."""

    def __init__(self, node: str) -> None:
        self.node = node
        self.started: list[NodeProcess] = []

    async def start(self, script: str, *args: str, env: dict[str, str]) -> NodeProcess:
        proc = await asyncio.create_subprocess_exec(
            self.node,
            str(HERE / script),
            *args,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
            env={**os.environ, **env},
            cwd=HERE,
        )
        self.started.append(NodeProcess(proc))
        return self.started[-1]


@pytest.fixture
async def node() -> AsyncIterator[NodeRunner]:
    runner = NodeRunner(node_or_skip())
    try:
        yield runner
    finally:
        for p in runner.started:
            await p.close()
