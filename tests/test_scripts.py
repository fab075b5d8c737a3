"""scripts/lib.sh: the set-up steps run pip and npm only when what pins them changed."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# Stand-ins that record their calls: the steps' decisions are under test, not pip or npm.
RECORDER = '#!/bin/sh\necho "$0 $*" >> "$(dirname "$0")/../../calls.log"\n'


def project(tmp_path: Path) -> Path:
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    (tmp_path / ".venv" / "bin").mkdir(parents=True)
    (tmp_path / "gql" / "static").mkdir(parents=True)
    for fake in (tmp_path / ".venv" / "bin" / "python", tmp_path / "gql" / "static" / "install.sh"):
        fake.write_text(RECORDER)
        fake.chmod(0o755)
        os.utime(fake, (fake.stat().st_atime - 100, fake.stat().st_mtime - 100))
    _old(tmp_path / "gql" / "static" / "package-lock.json")
    return tmp_path


def _old(path: Path) -> None:
    """A pin written well before anything installs: a file made in the same clock tick as the
    pin would not be newer than it, and the steps compare modification times."""
    path.write_text("{}")
    os.utime(path, (path.stat().st_atime - 100, path.stat().st_mtime - 100))


def step(where: Path, command: str) -> list[str]:
    """Runs a lib.sh step in ``where``; the recorded calls so far."""
    subprocess.run(
        ["bash", "-c", f"set -euo pipefail; source {ROOT / 'scripts' / 'lib.sh'}; {command}"],
        cwd=where,
        check=True,
        timeout=30,
    )
    log = where / "calls.log"
    return log.read_text().splitlines() if log.exists() else []


def test_pip_runs_again_only_when_pyproject_changes(tmp_path: Path) -> None:
    where = project(tmp_path)
    assert len(step(where, "python_env test")) == 1
    assert len(step(where, "python_env test")) == 1  # nothing changed: no pip
    assert len(step(where, "python_env")) == 1  # the package came with the test install
    (where / "pyproject.toml").write_text((where / "pyproject.toml").read_text() + "\n# changed\n")
    calls = step(where, "python_env")
    assert len(calls) == 2
    assert calls[-1].endswith("-m pip install --quiet --disable-pip-version-check -e .")


def test_graphiql_assets_install_only_when_missing_or_repinned(tmp_path: Path) -> None:
    where = project(tmp_path)
    installed = where / "gql" / "static" / "graphiql" / "versions.json"
    assert len(step(where, "graphiql_assets")) == 1  # missing: installed
    installed.parent.mkdir()
    installed.write_text("{}")
    assert len(step(where, "graphiql_assets")) == 1  # present and newer: skipped
    lock = where / "gql" / "static" / "package-lock.json"
    stat = installed.stat()
    os.utime(lock, (stat.st_atime + 10, stat.st_mtime + 10))
    assert len(step(where, "graphiql_assets")) == 2  # the pins moved: again


def test_npm_packages_install_only_when_the_lock_is_newer(tmp_path: Path) -> None:
    where = project(tmp_path)
    fake_bin = where / "bin"
    fake_bin.mkdir()
    npm = fake_bin / "npm"
    # A stand-in npm that records the call and leaves npm's install record behind.
    npm.write_text(
        '#!/bin/sh\necho "npm $*" >> calls.log\n'
        "mkdir -p tests/http/node_modules && touch tests/http/node_modules/.package-lock.json\n"
    )
    npm.chmod(0o755)
    (where / "tests" / "http").mkdir(parents=True)
    lock = where / "tests" / "http" / "package-lock.json"
    _old(lock)
    command = f"PATH={fake_bin}:$PATH npm_packages tests/http"
    assert len(step(where, command)) == 1
    assert len(step(where, command)) == 1  # installed after the lock changed: skipped
    record = where / "tests" / "http" / "node_modules" / ".package-lock.json"
    stat = record.stat()
    os.utime(lock, (stat.st_atime + 10, stat.st_mtime + 10))
    assert len(step(where, command)) == 2
