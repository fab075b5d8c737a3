"""graphql-schema-linter (npm) on the exported SDL: descriptions everywhere, capitalized, and
no type left unused. Federation's own parts (``_service``, ``_entities``, ``_Any``,
``_Entity``, ``_Service``) are not ours to describe."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

from gql.schema import export_sdl
from tests.federation.conftest import DEADLINE_SECONDS, NODE_MODULES, node_or_skip

RULES = (
    "types-have-descriptions",
    "fields-have-descriptions",
    "arguments-have-descriptions",
    "enum-values-have-descriptions",
    "input-object-values-have-descriptions",
    "descriptions-are-capitalized",
    "defined-types-are-used",
)
# The federation directives the SDL uses; the linter must know them to read it.
FEDERATION_DIRECTIVES = """
directive @link(url: String!, import: [String]) repeatable on SCHEMA
directive @key(fields: String!, resolvable: Boolean = true) repeatable on OBJECT | INTERFACE
"""
FEDERATION = ("`_entities`", "`Query._entities`", "`Query._service`", "`_Any`", "`_Entity`")
FEDERATION_SERVICE = ("`_Service`", "`_Service.sdl`")


async def test_graphql_schema_linter_finds_nothing(tmp_path: Path) -> None:
    node = node_or_skip()
    (tmp_path / "schema.graphql").write_text(export_sdl())
    (tmp_path / "federation.graphql").write_text(FEDERATION_DIRECTIVES)
    linter = NODE_MODULES / "graphql-schema-linter" / "lib" / "cli.js"
    proc = await asyncio.create_subprocess_exec(
        node,
        str(linter),
        "--format",
        "json",
        "--rules",
        ",".join(RULES),
        str(tmp_path / "schema.graphql"),
        str(tmp_path / "federation.graphql"),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    async with asyncio.timeout(DEADLINE_SECONDS):
        stdout, stderr = await proc.communicate()
    assert stdout, stderr.decode(errors="replace")

    report = json.loads(stdout)
    found = [e["message"] for e in report["errors"]]
    ours = [m for m in found if not any(f in m for f in FEDERATION + FEDERATION_SERVICE)]
    assert found, "the linter reported nothing, not even federation's parts: did it run?"
    assert not ours, "\n".join(ours)
