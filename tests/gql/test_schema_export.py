"""schema.graphql is the exported SDL, to the letter."""

from __future__ import annotations

from pathlib import Path

from gql.schema import export_sdl

ROOT = Path(__file__).resolve().parents[2]


def test_committed_sdl_equals_what_the_code_prints():
    committed = (ROOT / "schema.graphql").read_text()
    assert committed == export_sdl(), "run: crmgraph export-schema > schema.graphql"


def test_sdl_is_a_federation_2_subgraph_with_keyed_integrations():
    sdl = export_sdl()
    assert '@link(url: "https://specs.apollo.dev/federation/v2' in sdl
    assert 'type CrmIntegration @key(fields: "id")' in sdl
