"""The real app on a loopback port, and headless Chromium driven over the DevTools Protocol."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import itertools
import json
import os
import signal
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp import web

from gql import graphiql
from gql.app import build_app
from gql.settings import Settings

CHROMIUM = Path("/usr/bin/chromium")
API_KEY = "dev-key"
CALL_SECONDS = 10.0  # the longest one DevTools call may take
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--disable-quic",
    "--remote-debugging-port=0",
    "--remote-allow-origins=*",
    "--window-size=1280,900",
    "--mute-audio",
)


def require(ready: bool, what: str, install: str) -> None:
    """Skip when something the test needs is not installed, but fail under CI."""
    if ready:
        return
    message = f"{what} is not installed: run `{install}`"
    if os.environ.get("CI"):
        pytest.fail(f"{message} (CI is set, so this is a failure, not a skip)")
    pytest.skip(message)


def require_assets() -> None:
    require(graphiql.assets_installed(), "GraphiQL's assets", graphiql.INSTALL_COMMAND)


def require_chromium() -> None:
    require(CHROMIUM.exists(), str(CHROMIUM), "bash scripts/install-chromium.sh")


@dataclass
class Server:
    url: str
    port: int
    settings: Settings


ServerFactory = Callable[..., Awaitable[Server]]


@pytest.fixture
async def start_server(tmp_path: Path) -> AsyncIterator[ServerFactory]:
    """Starts build_app's app on 127.0.0.1, on a port of the system's choosing."""
    runners: list[web.AppRunner] = []

    async def start(**overrides: Any) -> Server:
        values: dict[str, Any] = {
            "api_keys": f"t:{API_KEY}",
            "database_url": f"sqlite+aiosqlite:///{tmp_path}/db-{len(runners)}.sqlite",
            "secret_key": "x" * 32,
            "graphiql_prefill_key": API_KEY,
        }
        values.update(overrides)
        settings = Settings(**values)
        runner = web.AppRunner(build_app(settings), access_log=None)
        await runner.setup()
        runners.append(runner)
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        host, port = runner.addresses[0][:2]
        return Server(url=f"http://{host}:{port}", port=port, settings=settings)

    yield start
    for runner in reversed(runners):
        await runner.cleanup()


@dataclass
class Page:
    """One page target of a Chromium, over its DevTools websocket."""

    ws: aiohttp.ClientWebSocketResponse
    requests: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    _pending: dict[int, asyncio.Future[dict[str, Any]]] = field(default_factory=dict)

    async def read(self) -> None:
        async for message in self.ws:
            if message.type != aiohttp.WSMsgType.TEXT:
                break
            data = json.loads(message.data)
            if "id" in data:
                future = self._pending.pop(data["id"], None)
                if future is not None and not future.done():
                    future.set_result(data)
            else:
                self._event(data.get("method", ""), data.get("params", {}))
        for future in self._pending.values():
            if not future.done():
                future.set_exception(ConnectionError("the DevTools connection closed"))

    def _event(self, method: str, params: dict[str, Any]) -> None:
        if method == "Network.requestWillBeSent":
            self.requests.append(params["request"]["url"])
        elif method == "Runtime.exceptionThrown":
            details = params["exceptionDetails"]
            self.problems.append(
                "exception: " + details.get("exception", {}).get("description", details["text"])
            )
        elif method == "Log.entryAdded" and params["entry"]["level"] == "error":
            entry = params["entry"]
            self.problems.append(f"log: {entry.get('text')} {entry.get('url', '')}".strip())

    async def send(self, method: str, **params: Any) -> dict[str, Any]:
        call_id = next(self._ids)
        future: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self._pending[call_id] = future
        await self.ws.send_json({"id": call_id, "method": method, "params": params})
        async with asyncio.timeout(CALL_SECONDS):
            reply = await future
        if "error" in reply:
            raise RuntimeError(f"{method}: {reply['error']}")
        result: dict[str, Any] = reply.get("result", {})
        return result

    async def evaluate(self, expression: str) -> Any:
        result = await self.send(
            "Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True
        )
        if "exceptionDetails" in result:
            raise RuntimeError(f"{expression!r}: {result['exceptionDetails']}")
        return result["result"].get("value")

    async def wait_for(self, expression: str, what: str, within: float = 15.0) -> Any:
        """Polls a JavaScript expression until it is truthy; fails after the deadline."""
        deadline = time.monotonic() + within
        value: Any = None
        while time.monotonic() < deadline:
            value = await self.evaluate(expression)
            if value:
                return value
            await asyncio.sleep(0.05)
        raise AssertionError(f"timed out after {within}s waiting for {what}; last value {value!r}")

    async def click(self, selector: str) -> None:
        """A real mouse click at the middle of the element."""
        box = await self.evaluate(
            f"(() => {{ const r = document.querySelector({json.dumps(selector)})"
            ".getBoundingClientRect(); return [r.x + r.width / 2, r.y + r.height / 2]; })()"
        )
        x, y = box
        for kind in ("mouseMoved", "mousePressed", "mouseReleased"):
            await self.send(
                "Input.dispatchMouseEvent", type=kind, x=x, y=y, button="left", clickCount=1
            )

    async def screenshot(self, path: Path) -> Path:
        shot = await self.send("Page.captureScreenshot", format="png")
        await asyncio.to_thread(path.write_bytes, base64.b64decode(shot["data"]))
        return path


async def _devtools_port(profile: Path, process: asyncio.subprocess.Process) -> int:
    active = profile / "DevToolsActivePort"
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if process.returncode is not None:
            raise RuntimeError(f"chromium exited with {process.returncode}")
        with contextlib.suppress(FileNotFoundError, ValueError, IndexError):
            return int(active.read_text().splitlines()[0])
        await asyncio.sleep(0.05)
    raise RuntimeError("chromium did not open its DevTools port in time")


async def _stop(process: asyncio.subprocess.Process) -> None:
    if process.returncode is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            async with asyncio.timeout(5):
                await process.wait()
        except TimeoutError:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            await process.wait()


@pytest.fixture
async def browser_page(tmp_path: Path) -> AsyncIterator[Page]:
    """A fresh headless Chromium (own profile) and its first tab, closed afterwards."""
    require_chromium()
    profile = tmp_path / "chromium-profile"
    profile.mkdir()
    with (tmp_path / "chromium.log").open("wb") as log:
        process = await asyncio.create_subprocess_exec(
            str(CHROMIUM),
            *CHROMIUM_FLAGS,
            f"--user-data-dir={profile}",
            "about:blank",
            stdin=asyncio.subprocess.DEVNULL,
            stdout=log,
            stderr=log,
            start_new_session=True,  # its own process group, so that all of it can be stopped
        )
    reader: asyncio.Task[None] | None = None
    try:
        port = await _devtools_port(profile, process)
        async with aiohttp.ClientSession(trust_env=False) as session:
            async with session.get(f"http://127.0.0.1:{port}/json/list") as response:
                targets = await response.json()
            target = next(t for t in targets if t["type"] == "page")
            async with session.ws_connect(target["webSocketDebuggerUrl"], max_msg_size=0) as ws:
                page = Page(ws)
                reader = asyncio.create_task(page.read())
                for domain in ("Network", "Page", "Runtime", "Log"):
                    await page.send(f"{domain}.enable")
                yield page
    finally:
        if reader is not None:
            reader.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await reader
        await _stop(process)
