"""Aliases: queries may alias as a stitching gateway's merged document does; mutations less."""

from __future__ import annotations

from gql.schema import build_schema
from gql.settings import Settings


def aliased(operation: str, n: int) -> str:
    return operation + " { " + " ".join(f"_{i}_t: __typename" for i in range(n)) + " }"


async def test_a_query_may_use_the_gateway_budget_of_aliases() -> None:
    schema = build_schema(Settings())

    ok = await schema.execute(aliased("query", 200))
    over = await schema.execute(aliased("query", 201))

    assert ok.errors is None
    assert over.errors, over
    assert over.errors[0].message == "201 aliases found. Allowed: 200"


async def test_a_mutation_document_keeps_the_tighter_budget() -> None:
    schema = build_schema(Settings())

    ok = await schema.execute(aliased("mutation", 30))
    over = await schema.execute(aliased("mutation", 31))
    # Aliases in a fragment the mutation spreads count too.
    spread = await schema.execute(
        "mutation { ...F } fragment F on Mutation { "
        + " ".join(f"a{i}: __typename" for i in range(31))
        + " }"
    )

    assert ok.errors is None
    for result in (over, spread):
        assert result.errors, result
        assert result.errors[0].extensions == {"code": "GRAPHQL_VALIDATION_FAILED"}, result
        assert "at most 30 aliases" in result.errors[0].message
