"""The graphql-ws client (``npm ci --prefix tests/subscriptions``), run by node."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

HERE = Path(__file__).resolve().parent


def node_or_skip() -> str:
    node = shutil.which("node")
    problem = None
    if node is None:
        problem = "node is not on PATH"
    elif not (HERE / "node_modules" / "graphql-ws").is_dir():
        problem = "graphql-ws is missing: run `npm ci --prefix tests/subscriptions`"
    if problem is None:
        assert node is not None
        return node
    if os.environ.get("CI", "").lower() not in {"", "0", "false"}:
        pytest.fail(f"subscription tests must run in CI: {problem}")
    pytest.skip(problem)


async def graphql_ws(
    ws_url: str, key: str, job_id: str, after_first: Callable[[], None] | None = None
) -> list[dict[str, Any]]:
    """Every event the graphql-ws client saw, in order; ``after_first`` runs once the first
    progress event has arrived (to let a held job go on while the client listens)."""
    process = await asyncio.create_subprocess_exec(
        node_or_skip(),
        str(HERE / "progress.mjs"),
        ws_url,
        key,
        job_id,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    assert process.stdout is not None
    assert process.stderr is not None
    events: list[dict[str, Any]] = []
    async with asyncio.timeout(60):
        async for line in process.stdout:
            events.append(json.loads(line))
            if after_first is not None and "next" in events[-1]:
                after_first()
                after_first = None
        err = await process.stderr.read()
        assert await process.wait() == 0, err.decode()
    return events
