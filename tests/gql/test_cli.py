"""The ``crmgraph`` command as an operator runs it: a child process, its exit code and output."""

from __future__ import annotations

import asyncio
import os
import re
import socket
import sys
from importlib.metadata import version
from pathlib import Path

import pytest

from gql.settings import ApiKeysError, parse_api_keys

CRMGRAPH = str(Path(sys.executable).with_name("crmgraph"))
DEADLINE_SECONDS = 30.0


def env(tmp_path: Path, **settings: str) -> dict[str, str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("CRMGRAPH_")}
    return {
        **clean,
        "CRMGRAPH_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'db.sqlite'}",
        "CRMGRAPH_SECRET_KEY": "x" * 32,
        **{f"CRMGRAPH_{k.upper()}": v for k, v in settings.items()},
    }


async def run(*args: str, environ: dict[str, str]) -> tuple[int, str, str]:
    child = await asyncio.create_subprocess_exec(
        CRMGRAPH,
        *args,
        env=environ,
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    async with asyncio.timeout(DEADLINE_SECONDS):
        stdout, stderr = await child.communicate()
    assert child.returncode is not None
    return child.returncode, stdout.decode(), stderr.decode()


async def test_version(tmp_path: Path) -> None:
    code, out, _ = await run("--version", environ=env(tmp_path))
    assert (code, out.strip()) == (0, f"crmgraph {version('crmgraph')}")


async def test_serve_help_shows_each_options_default(tmp_path: Path) -> None:
    code, out, _ = await run("serve", "--help", environ=env(tmp_path))
    flat = " ".join(out.split())
    assert code == 0
    for option, default in [
        ("--host", "127.0.0.1"),
        ("--port", "8000"),
        ("--sandbox ", "False"),
        ("--sandbox-key-file", ".crmgraph-sandbox.key"),
    ]:
        assert re.search(re.escape(option) + r".*?\(default: " + re.escape(default), flat), option


@pytest.mark.parametrize(
    ("keys", "needle"),
    [
        ("acme:s3cr3t-key-value,badformat", "CRMGRAPH_API_KEYS entry 2 has no ':'"),
        ("acme:s3cr3t-key-value,:other", "CRMGRAPH_API_KEYS entry 2 has an empty tenant"),
        ("acme:", "CRMGRAPH_API_KEYS entry 1 (tenant 'acme') has an empty key"),
        ("a:s3cr3t-key-value,b:s3cr3t-key-value", "entry 2 (tenant 'b') repeats a key"),
    ],
)
def test_each_malformed_entry_is_named_without_its_key(keys: str, needle: str) -> None:
    with pytest.raises(ApiKeysError) as refused:
        parse_api_keys(keys)
    assert needle in str(refused.value)
    assert "tenant:key" in str(refused.value)
    assert "s3cr3t" not in str(refused.value)


def test_spaces_and_a_trailing_comma_are_fine() -> None:
    assert parse_api_keys(" acme : k1 , globex:k2 ,") == {"k1": "acme", "k2": "globex"}


@pytest.mark.parametrize(
    ("keys", "needle"),
    [
        ("", "CRMGRAPH_API_KEYS is empty"),
        ("acme:s3cr3t-key-value,badformat", "CRMGRAPH_API_KEYS entry 2 has no ':'"),
    ],
)
async def test_serve_refuses_missing_or_malformed_keys_in_one_line(
    tmp_path: Path, keys: str, needle: str
) -> None:
    code, out, err = await run("serve", "--port", "0", environ=env(tmp_path, api_keys=keys))
    assert code == 2
    [line] = err.splitlines()
    assert needle in line
    assert "tenant:key" in line
    assert "s3cr3t" not in err + out  # the line names the entry, never a key


async def test_an_unreadable_manifest_is_one_line(tmp_path: Path) -> None:
    settings = {"api_keys": "acme:k-0123456789", "persisted_queries_manifest": "/nonexistent.json"}
    code, _, err = await run("serve", "--port", "0", environ=env(tmp_path, **settings))
    assert code == 2
    [line] = err.splitlines()
    assert "/nonexistent.json" in line


async def test_a_replica_that_runs_no_imports_needs_postgresql(tmp_path: Path) -> None:
    settings = {"api_keys": "acme:k-0123456789", "import_jobs_per_replica": "0"}
    code, _, err = await run("serve", "--port", "0", environ=env(tmp_path, **settings))
    assert code == 2
    [line] = err.splitlines()
    assert "CRMGRAPH_IMPORT_JOBS_PER_REPLICA=0 needs a PostgreSQL" in line


async def test_a_busy_port_is_one_line_without_a_traceback(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = str(taken.getsockname()[1])
        code, _, err = await run(
            "serve", "--port", port, environ=env(tmp_path, api_keys="acme:k-0123456789")
        )
    assert code == 1
    assert err.strip().splitlines() == [
        f"crmgraph: cannot listen on 127.0.0.1:{port}: the port is in use "
        "(choose another with --port)"
    ]


async def announced_key(environ: dict[str, str], *args: str) -> str:
    """Starts the sandbox, reads the key line it prints, and stops it."""
    child = await asyncio.create_subprocess_exec(
        CRMGRAPH,
        "serve",
        "--sandbox",
        "--port",
        "0",
        *args,
        env=environ,
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.DEVNULL,
    )
    assert child.stdout is not None
    try:
        async with asyncio.timeout(DEADLINE_SECONDS):
            while line := (await child.stdout.readline()).decode():
                if "API key" in line:
                    return line.strip()
    finally:
        child.terminate()
        await child.wait()
    pytest.fail("the sandbox printed no API key line")


async def test_the_sandbox_keeps_its_key_across_restarts_or_takes_the_given_keys(
    tmp_path: Path,
) -> None:
    key_file = tmp_path / "sandbox.key"
    first = await announced_key(env(tmp_path), "--sandbox-key-file", str(key_file))
    second = await announced_key(env(tmp_path), "--sandbox-key-file", str(key_file))
    key = key_file.read_text().strip()
    assert first == second
    assert first.endswith(key)
    assert key.startswith("dev-")
    assert key_file.stat().st_mode & 0o077 == 0  # the owner's only

    given = await announced_key(env(tmp_path, api_keys="me:s3cr3t-key-value"))
    assert "tenant 'me'" in given
    assert "s3cr3t" not in given
