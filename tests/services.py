"""Real PostgreSQL and Redis for the tests, started on free loopback ports for one session.

``scripts/test`` installs Debian's ``postgresql`` and ``redis-server`` (``scripts/lib.sh``);
the servers here are the tests' own (a fresh cluster in a temporary folder, Redis with no
persistence), never the packages' system services. Fixtures:

* ``postgres_url``: an SQLAlchemy ``postgresql+asyncpg://`` URL of a database made for the one
  test (dropped after it);
* ``redis_url``: a ``redis://`` URL of a logical database flushed before each test;
* ``postgres_server`` / ``redis_server`` (session scope) for tests that need the server itself.

Both servers end with the session (fixture finalisers), and with the pytest process if it
dies first (the children are started with a parent-death signal). PostgreSQL refuses to run
as root: as root (CI), the cluster is made and run as the ``postgres`` user the package adds.

Without the binaries these tests skip, unless ``CI`` is set: there they fail instead.
"""

from __future__ import annotations

import contextlib
import ctypes
import glob
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

START_TIMEOUT_SECONDS = 30.0
_PR_SET_PDEATHSIG = 1


def _missing(what: str) -> None:
    message = f"{what} is not installed: run ./scripts/test (scripts/lib.sh installs it)"
    if os.environ.get("CI", "").lower() not in {"", "0", "false"}:
        pytest.fail(message)
    pytest.skip(message)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def die_with_parent(sig: signal.Signals) -> Callable[[], None]:
    """A preexec_fn: the child gets ``sig`` when the pytest process ends, however it ends."""

    def preexec() -> None:
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, int(sig), 0, 0, 0)

    return preexec


def _wait_listening(proc: subprocess.Popen[bytes], port: int, log: Path) -> None:
    """Poll until the server accepts connections (readiness, not a timing assertion)."""
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"exited {proc.returncode}: {log.read_text(errors='replace')}")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.2):
            return
        time.sleep(0.05)
    proc.kill()
    raise RuntimeError(f"not listening after {START_TIMEOUT_SECONDS}s: {log.read_text()}")


def _start(
    argv: Callable[[int], list[str | Path]], log: Path, stop: signal.Signals, **user: int
) -> tuple[subprocess.Popen[bytes], int]:
    """Start a server on a free port (tried thrice: a port can be taken between probe and bind)."""
    for _ in range(3):
        port = free_port()
        with log.open("ab") as out:
            proc = subprocess.Popen(
                argv(port),
                stdout=out,
                stderr=subprocess.STDOUT,
                preexec_fn=die_with_parent(stop),
                **user,  # type: ignore[call-overload]
            )
        try:
            _wait_listening(proc, port, log)
            return proc, port
        except RuntimeError:
            _stop(proc, stop)
    raise RuntimeError(f"did not start: {log.read_text(errors='replace')}")


def _stop(proc: subprocess.Popen[bytes], sig: signal.Signals) -> None:
    if proc.poll() is None:
        proc.send_signal(sig)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


# -- PostgreSQL -------------------------------------------------------------------------------
@dataclass(frozen=True)
class PostgresServer:
    host: str
    port: int
    user: str

    def url(self, database: str, driver: str = "postgresql+asyncpg") -> str:
        return f"{driver}://{self.user}@{self.host}:{self.port}/{database}"

    async def create_database(self) -> str:
        import asyncpg

        name = f"t_{uuid.uuid4().hex[:16]}"
        conn = await asyncpg.connect(self.url("postgres", "postgresql"))
        try:
            await conn.execute(f'CREATE DATABASE "{name}"')
        finally:
            await conn.close()
        return name

    async def drop_database(self, name: str) -> None:
        import asyncpg

        conn = await asyncpg.connect(self.url("postgres", "postgresql"))
        try:
            await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await conn.close()


def _postgres_bin() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=_version, reverse=True)
    if found:
        return Path(found[0]).parent
    initdb = shutil.which("initdb")
    return Path(initdb).resolve().parent if initdb else None


def _version(path: str) -> int:
    part = Path(path).parts[-3]
    return int(part) if part.isdigit() else 0


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    bindir = _postgres_bin()
    if bindir is None:
        _missing("PostgreSQL (Debian's postgresql)")
    assert bindir is not None
    owner = pwd.getpwnam("postgres") if os.geteuid() == 0 else None
    user = {"user": owner.pw_uid, "group": owner.pw_gid} if owner else {}
    root = Path(tempfile.mkdtemp(prefix="crmgraph-pg-"))
    data, log = root / "data", root / "postgres.log"
    if owner:
        os.chown(root, owner.pw_uid, owner.pw_gid)
    subprocess.run(
        [bindir / "initdb", "-D", data, "-U", "crmgraph", "--auth=trust", "-E", "UTF8"],
        check=True,
        capture_output=True,
        **user,  # type: ignore[arg-type]
    )
    options = "-c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off"
    options += " -c full_page_writes=off -c max_connections=200"
    proc, port = _start(
        lambda port: [
            bindir / "postgres",
            "-D",
            data,
            "-p",
            str(port),
            "-k",
            root,
            *options.split(),
        ],
        log,
        signal.SIGQUIT,
        **user,
    )
    _wait_accepting(bindir, port, proc, log)
    try:
        yield PostgresServer("127.0.0.1", port, "crmgraph")
    finally:
        _stop(proc, signal.SIGINT)  # fast shutdown: roll back, disconnect, stop
        shutil.rmtree(root, ignore_errors=True)


def _wait_accepting(bindir: Path, port: int, proc: subprocess.Popen[bytes], log: Path) -> None:
    """The port opens before recovery ends ("the database system is starting up")."""
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        ready = [bindir / "pg_isready", "-q", "-h", "127.0.0.1", "-p", str(port), "-U", "crmgraph"]
        if subprocess.run(ready, check=False).returncode == 0:
            return
        if proc.poll() is not None:
            break
        time.sleep(0.05)
    raise RuntimeError(f"PostgreSQL not accepting connections: {log.read_text(errors='replace')}")


@pytest.fixture
async def postgres_url(postgres_server: PostgresServer) -> AsyncIterator[str]:
    name = await postgres_server.create_database()
    try:
        yield postgres_server.url(name)
    finally:
        await postgres_server.drop_database(name)


# -- Redis ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class RedisServer:
    host: str
    port: int

    def url(self, db: int = 0) -> str:
        return f"redis://{self.host}:{self.port}/{db}"


@pytest.fixture(scope="session")
def redis_server() -> Iterator[RedisServer]:
    binary = shutil.which("redis-server")
    if binary is None:
        _missing("Redis (Debian's redis-server)")
    assert binary is not None
    root = Path(tempfile.mkdtemp(prefix="crmgraph-redis-"))
    log = root / "redis.log"
    options = f"--bind 127.0.0.1 --appendonly no --dir {root} --daemonize no"
    proc, port = _start(
        lambda port: [binary, "--port", str(port), "--save", "", *options.split()],
        log,
        signal.SIGTERM,
    )
    try:
        yield RedisServer("127.0.0.1", port)
    finally:
        _stop(proc, signal.SIGTERM)
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
async def redis_url(redis_server: RedisServer) -> str:
    import redis.asyncio as redis

    url = redis_server.url()
    client = redis.Redis.from_url(url)
    try:
        await client.flushdb()
    finally:
        await client.aclose()
    return url
