"""crmgraph on a loopback port for the HTTP-level tests, and the node clients that call it.

The Node side (graphql-http's audits, Apollo Client, urql) is installed by
``npm ci --prefix tests/http`` (scripts/test does it). Without node or that install the node
tests are skipped, unless ``CI`` is set: there they fail instead.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web

from gql.app import build_app
from tests.federation.conftest import NodeRunner
from tests.harness import KEYS, make_settings

HERE = Path(__file__).resolve().parent
REQUIRED_PACKAGES = ("graphql-http", "@apollo/client", "@urql/core", "@urql/exchange-persisted")
AUTHORIZATION = f"Bearer {KEYS['acme']}"

Serve = Callable[..., Awaitable[str]]


@pytest.fixture
async def serve(tmp_path: Path) -> AsyncIterator[Serve]:
    """Starts crmgraph with settings overrides; answers its /graphql URL."""
    runners: list[web.AppRunner] = []

    async def start(**overrides: Any) -> str:
        settings = make_settings(str(tmp_path / f"db{len(runners)}.sqlite"), **overrides)
        runner = web.AppRunner(build_app(settings), access_log=None)
        runners.append(runner)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        host, port = runner.addresses[0][:2]
        return f"http://{host}:{port}/graphql"

    try:
        yield start
    finally:
        for runner in runners:
            await runner.cleanup()


def _node_or_skip() -> str:
    node = shutil.which("node")
    missing = [p for p in REQUIRED_PACKAGES if not (HERE / "node_modules" / p).is_dir()]
    problem = (
        "node is not on PATH"
        if node is None
        else f"{HERE / 'node_modules'} lacks {missing}: run `npm ci --prefix tests/http`"
        if missing
        else None
    )
    if problem is None and node is not None:
        return node
    if os.environ.get("CI", "").lower() not in {"", "0", "false"}:
        pytest.fail(f"the HTTP client tests must run in CI: {problem}")
    pytest.skip(problem or "node is missing")


RunNode = Callable[..., Awaitable[Any]]


@pytest.fixture
async def run_node() -> AsyncIterator[RunNode]:
    """Runs a script of this folder to its end; answers the JSON it prints."""
    runner = NodeRunner(_node_or_skip())

    async def run(script: str, *args: str) -> Any:
        child = await runner.start(str(HERE / script), *args, env={})
        code, stdout, stderr = await child.finish()
        assert code == 0, stderr
        return json.loads(stdout)

    try:
        yield run
    finally:
        for child in runner.started:
            await child.close()
