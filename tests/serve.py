"""``crmgraph serve`` as a real subprocess, for tests that kill it or drive it from outside."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.harness import KEYS

CRMGRAPH = Path(sys.executable).with_name("crmgraph")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def server_env(db: Path | str, hubspot_url: str, **extra: str) -> dict[str, str]:
    """``db``: an SQLite file, or a database URL (PostgreSQL)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CRMGRAPH_")}
    env.update(
        CRMGRAPH_API_KEYS=",".join(f"{t}:{k}" for t, k in KEYS.items()),
        CRMGRAPH_DATABASE_URL=db if isinstance(db, str) else f"sqlite+aiosqlite:///{db}",
        CRMGRAPH_SECRET_KEY="test-secret-key-for-credentials",
        CRMGRAPH_ALLOW_INSECURE_UPSTREAMS="1",
        CRMGRAPH_HUBSPOT_BASE_URL=hubspot_url,
        CRMGRAPH_RETRY_BACKOFF_SECONDS="0",
        **extra,
    )
    return env


@dataclass
class Server:
    process: asyncio.subprocess.Process
    url: str

    @classmethod
    async def start(cls, env: dict[str, str], port: int | None = None) -> Server:
        port = port or free_port()
        process = await asyncio.create_subprocess_exec(
            str(CRMGRAPH),
            "serve",
            "--port",
            str(port),
            env=env,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.DEVNULL,
        )
        assert process.stdout is not None
        # It prints its URL once it listens: no polling, no sleeps.
        line = await asyncio.wait_for(process.stdout.readline(), 60)
        assert b"GraphiQL at" in line, line
        return cls(process, f"http://127.0.0.1:{port}")

    async def kill(self) -> None:
        self.process.send_signal(signal.SIGKILL)
        await self.process.wait()

    async def stop(self) -> None:
        if self.process.returncode is None:
            self.process.terminate()
            await self.process.wait()

    async def __aenter__(self) -> Server:
        return self

    async def __aexit__(self, *exc: Any) -> None:
        await self.stop()
