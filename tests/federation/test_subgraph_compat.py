"""The subgraph checks of Apollo's federation subgraph compatibility suite, for our schema.

Ported from apollographql/apollo-federation-subgraph-compatibility (its src/tests: the
introspection/_service, @link and @key checks) and the subgraph specification, against a
running crmgraph over HTTP. Left out, as nothing in our schema uses them yet: @requires,
@provides, @override, @shareable, @inaccessible, @tag, @interfaceObject, and multiple or
composite keys. ftv1 (inline traces) is optional in the suite and not offered.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from graphql import (
    DocumentNode,
    Node,
    ObjectTypeDefinitionNode,
    SchemaDefinitionNode,
    SchemaExtensionNode,
    TypeDefinitionNode,
    Visitor,
    parse,
    print_ast,
    strip_ignored_characters,
    visit,
)

from tests.federation.conftest import AUTH, OTHER_AUTH, Crmgraph

SCHEMA_FILE = Path(__file__).resolve().parents[2] / "schema.graphql"
FEDERATION_LINK = re.compile(r'url\s*:\s*"https://specs\.apollo\.dev/federation/v(\d+)\.(\d+)"')
# Everything a federation v2 @link may import (up to v2.11), from the subgraph specification.
FEDERATION_IMPORTS = {
    "@key",
    "@requires",
    "@provides",
    "@external",
    "@tag",
    "@extends",
    "@shareable",
    "@inaccessible",
    "@override",
    "@composeDirective",
    "@interfaceObject",
    "@authenticated",
    "@requiresScopes",
    "@policy",
    "@context",
    "@fromContext",
    "@cost",
    "@listSize",
    "FieldSet",
    "Scope",
    "Policy",
    "ContextFieldValue",
}
# What a subgraph library adds to the schema: not part of what we wrote.
FEDERATION_TYPES = {"_Any", "_Entity", "_Service", "FieldSet", "link__Import", "link__Purpose"}
FEDERATION_QUERY_FIELDS = {"_entities", "_service"}

ENTITIES = """
query ($representations: [_Any!]!) {
  _entities(representations: $representations) {
    __typename
    ... on CrmIntegration { id name provider isEnabled isLive }
  }
}
"""
UNKNOWN_ID = "00000000-0000-0000-0000-000000000000"


async def service_sdl(crmgraph: Crmgraph) -> str:
    result = await crmgraph.post("query { _service { sdl } }")
    assert "errors" not in result, result
    sdl: str = result["data"]["_service"]["sdl"]
    return sdl


def federation_links(document: DocumentNode) -> list[dict[str, Any]]:
    """The schema's @link directives to the federation spec: url and imports."""
    links = []
    for definition in document.definitions:
        for directive in getattr(definition, "directives", None) or ():
            if directive.name.value != "link":
                continue
            args = {a.name.value: a.value for a in directive.arguments}
            url = getattr(args.get("url"), "value", "")
            if "specs.apollo.dev/federation/" not in url:
                continue
            imports = [v.value for v in getattr(args.get("import"), "values", [])]
            on_schema = isinstance(definition, SchemaDefinitionNode | SchemaExtensionNode)
            links.append({"url": url, "imports": imports, "on_schema": on_schema})
    return links


class _WithoutDescriptions(Visitor):
    def leave(self, node: Node, *_: Any) -> Node | None:
        if getattr(node, "description", None) is None:
            return None  # unchanged
        keys = {k: getattr(node, k) for k in node.keys if k != "description"}
        return type(node)(**keys)


def own_definitions(document: DocumentNode) -> dict[str, str]:
    """Type definitions by name, printed, without what federation adds."""
    found: dict[str, str] = {}
    for definition in document.definitions:
        if not isinstance(definition, TypeDefinitionNode):
            continue
        name = definition.name.value
        if name in FEDERATION_TYPES:
            continue
        if name == "Query":
            assert isinstance(definition, ObjectTypeDefinitionNode)
            fields = tuple(
                f for f in definition.fields if f.name.value not in FEDERATION_QUERY_FIELDS
            )
            definition = ObjectTypeDefinitionNode(
                name=definition.name,
                description=definition.description,
                interfaces=definition.interfaces,
                directives=definition.directives,
                fields=fields,
            )
        found[name] = print_ast(definition)
    return found


# -- _service / introspection -------------------------------------------------------------


async def test_service_sdl_is_the_schema(crmgraph: Crmgraph) -> None:
    sdl = await service_sdl(crmgraph)

    assert "type Query" in sdl
    served = parse(sdl)  # graphql-core parses what the gateway will parse
    exported = parse(SCHEMA_FILE.read_text())
    assert own_definitions(served) == own_definitions(exported), (
        "the served SDL differs from schema.graphql: regenerate it (crmgraph export-schema)"
    )


async def test_service_sdl_keeps_our_root_fields(crmgraph: Crmgraph) -> None:
    # The suite's schema comparison: the root fields with their arguments and types.
    # Descriptions aside: tests/gql/test_schema_descriptions.py checks them.
    sdl = visit(parse(await service_sdl(crmgraph)), _WithoutDescriptions())
    query = own_definitions(sdl)["Query"]

    assert "crmIntegration(id: ID!): CrmIntegration" in query
    assert "crmIntegrations: [CrmIntegration!]!" in query


async def test_service_sdl_has_no_federation_v1_leftovers(crmgraph: Crmgraph) -> None:
    normalized = strip_ignored_characters(await service_sdl(crmgraph))

    assert "extend type CrmIntegration" not in normalized
    assert "_FieldSet" not in normalized


# -- @link -------------------------------------------------------------------------------


async def test_link_imports_one_federation_v2_spec(crmgraph: Crmgraph) -> None:
    sdl = await service_sdl(crmgraph)

    assert "@link" in sdl
    links = federation_links(parse(sdl))
    assert len(links) == 1, f"want exactly one federation @link, got {links}"
    [link] = links
    assert link["on_schema"], "the federation @link must be applied to the schema"
    version = FEDERATION_LINK.search(f'url: "{link["url"]}"')
    assert version, link["url"]
    assert int(version.group(1)) == 2
    assert int(version.group(2)) <= 11, "newer than what the pinned composition knows"


async def test_link_imports_are_federation_names(crmgraph: Crmgraph) -> None:
    [link] = federation_links(parse(await service_sdl(crmgraph)))

    assert link["imports"], "the federation @link imports nothing"
    assert set(link["imports"]) <= FEDERATION_IMPORTS
    assert "@key" in link["imports"]


async def test_link_imports_cover_the_directives_used(crmgraph: Crmgraph) -> None:
    # An applied federation directive must be imported (or written as @federation__name).
    sdl = await service_sdl(crmgraph)
    [link] = federation_links(parse(sdl))
    used = set(re.findall(r"@(\w+)", strip_ignored_characters(sdl))) - {"link", "specifiedBy"}

    assert {f"@{name}" for name in used if not name.startswith("federation__")} <= set(
        link["imports"]
    )


# -- @key ---------------------------------------------------------------------------------


async def test_key_applied_on_crm_integration(crmgraph: Crmgraph) -> None:
    normalized = strip_ignored_characters(await service_sdl(crmgraph))

    assert re.search(
        r'type CrmIntegration(@key|@federation__key)\(fields:"id"( resolvable:true)?\)',
        normalized,
    ), normalized


def keyed_types(document: DocumentNode) -> dict[str, list[str]]:
    """Object types with @key (or @federation__key): their key field sets."""
    keyed: dict[str, list[str]] = {}
    for definition in document.definitions:
        if not isinstance(definition, ObjectTypeDefinitionNode):
            continue
        for directive in definition.directives or ():
            if directive.name.value in {"key", "federation__key"}:
                fields = next(a.value for a in directive.arguments if a.name.value == "fields")
                keyed.setdefault(definition.name.value, []).append(getattr(fields, "value", ""))
    return keyed


async def test_keys_name_fields_of_their_type(crmgraph: Crmgraph) -> None:
    document = parse(await service_sdl(crmgraph))
    types = {
        d.name.value: d for d in document.definitions if isinstance(d, ObjectTypeDefinitionNode)
    }

    for name, keys in keyed_types(document).items():
        own = {f.name.value for f in types[name].fields}
        for key in keys:
            # Only flat keys here: nested selections ("a { b }") would need a parser.
            assert "{" not in key, f"{name}: a nested key needs a test here"
            assert set(key.split()) <= own, f"{name} @key(fields: {key!r})"


async def test_entity_union_is_the_keyed_types(crmgraph: Crmgraph) -> None:
    keyed = keyed_types(parse(await service_sdl(crmgraph)))
    result = await crmgraph.post('{ __type(name: "_Entity") { kind possibleTypes { name } } }')

    union = result["data"]["__type"]
    assert union["kind"] == "UNION"
    assert {t["name"] for t in union["possibleTypes"]} == set(keyed)
    assert "CrmIntegration" in keyed


async def test_entities_resolve_a_single_key(crmgraph: Crmgraph) -> None:
    created = await crmgraph.create("Single")

    result = await crmgraph.post(
        ENTITIES, {"representations": [{"__typename": "CrmIntegration", "id": created}]}
    )

    assert result == {
        "data": {
            "_entities": [
                {
                    "__typename": "CrmIntegration",
                    "id": created,
                    "name": "Single",
                    "provider": "HUBSPOT",
                    "isEnabled": True,
                    "isLive": True,
                }
            ]
        }
    }


async def test_entities_keep_order_and_answer_null_for_unknown(crmgraph: Crmgraph) -> None:
    ids = [await crmgraph.create(f"Integration {n}") for n in range(3)]
    foreign = await crmgraph.create("Another tenant's", headers=OTHER_AUTH)
    asked = [ids[2], UNKNOWN_ID, ids[0], foreign, ids[1], ids[0]]

    result = await crmgraph.post(
        ENTITIES,
        {"representations": [{"__typename": "CrmIntegration", "id": i} for i in asked]},
    )

    assert "errors" not in result, result
    entities = result["data"]["_entities"]
    assert [e and e["id"] for e in entities] == [ids[2], None, ids[0], None, ids[1], ids[0]]
    assert [e and e["name"] for e in entities] == [
        "Integration 2",
        None,
        "Integration 0",
        None,
        "Integration 1",
        "Integration 0",
    ]


async def test_entities_resolve_for_the_callers_tenant_only(crmgraph: Crmgraph) -> None:
    theirs = await crmgraph.create("Theirs", headers=OTHER_AUTH)
    representations = [{"__typename": "CrmIntegration", "id": theirs}]

    as_them = await crmgraph.post(ENTITIES, {"representations": representations}, OTHER_AUTH)
    as_us = await crmgraph.post(ENTITIES, {"representations": representations}, AUTH)

    assert as_them["data"]["_entities"][0]["name"] == "Theirs"
    assert as_us == {"data": {"_entities": [None]}}


async def test_entities_typename_only(crmgraph: Crmgraph) -> None:
    # What a query planner sends when it only needs to know the entity exists.
    created = await crmgraph.create("Typename")

    result = await crmgraph.post(
        "query ($r: [_Any!]!) { _entities(representations: $r) { __typename } }",
        {"r": [{"__typename": "CrmIntegration", "id": created}]},
    )

    assert result == {"data": {"_entities": [{"__typename": "CrmIntegration"}]}}


async def test_entities_empty_representations(crmgraph: Crmgraph) -> None:
    result = await crmgraph.post(ENTITIES, {"representations": []})

    assert result == {"data": {"_entities": []}}


@pytest.mark.parametrize(
    "representation",
    [
        pytest.param({"__typename": "Nope", "id": "1"}, id="unknown-typename"),
        pytest.param({"id": "1"}, id="no-typename"),
    ],
)
async def test_entities_refuse_a_bad_representation(
    crmgraph: Crmgraph, representation: dict[str, Any]
) -> None:
    result = await crmgraph.post(ENTITIES, {"representations": [representation]})

    assert result.get("errors"), result
    assert all("Traceback" not in e["message"] for e in result["errors"])


async def test_federation_fields_need_the_api_key(crmgraph: Crmgraph) -> None:
    async with crmgraph.session.post(crmgraph.url, json={"query": "{ _service { sdl } }"}) as resp:
        assert resp.status == 401
    async with crmgraph.session.post(
        crmgraph.url,
        json={
            "query": ENTITIES,
            "variables": {"representations": [{"__typename": "CrmIntegration", "id": "1"}]},
        },
        headers={"Authorization": "Bearer nope"},
    ) as resp:
        assert resp.status == 401
