"""The compiled ``from_input`` builds exactly what Strawberry's own conversion builds."""

from __future__ import annotations

from typing import Any

import pytest
from strawberry.types.arguments import convert_argument
from strawberry.types.base import StrawberryObjectDefinition

from gql.schema import build_schema

SCHEMA = build_schema()
CONVERTER = SCHEMA.schema_converter


def _definition(name: str) -> StrawberryObjectDefinition:
    definition = CONVERTER.type_map[name].definition
    assert isinstance(definition, StrawberryObjectDefinition)
    return definition


def _coerce(name: str, value: dict[str, Any]) -> Any:
    """The input value as graphql-core hands it to Strawberry (defaults filled in)."""
    from graphql import coerce_input_value

    return coerce_input_value(value, SCHEMA._schema.type_map[name])


def _both_ways(name: str, value: dict[str, Any]) -> tuple[Any, Any]:
    definition = _definition(name)
    coerced = _coerce(name, value)
    args = (definition.origin, CONVERTER.scalar_registry, SCHEMA.config)
    fast = convert_argument(coerced, *args)
    every = [
        t.definition
        for t in CONVERTER.type_map.values()
        if isinstance(t.definition, StrawberryObjectDefinition)
    ]
    hooks = [d.from_input for d in every]
    try:  # Strawberry's generic path, nested types included
        for d in every:
            d.from_input = None
        slow = convert_argument(coerced, *args)
    finally:
        for d, hook in zip(every, hooks, strict=True):
            d.from_input = hook
    return fast, slow


CASES = [
    ("AssociationInput", {"from": {"id": "1"}, "to": {"id": "2"}, "type": "contact_to_company"}),
    (
        "UnifiedAssociationInput",
        {
            "entityId": "006000000000001AAA",
            "entity": "OPPORTUNITIES",
            "associations": {"contacts": [{"id": "003A"}, {"id": "003B"}], "leads": None},
            "remoteData": {"Role": "Decision Maker", "n": [1, 2]},
        },
    ),
    ("UnifiedRequestOptions", {"excludeFields": ["errors"]}),
    ("UnifiedRequestOptions", {}),
    (
        "CreateCrmIntegrationInput",
        {
            "provider": "HUBSPOT",
            "name": "x",
            "credentials": {"accessToken": "t"},
            "rateLimits": {"requestsPerInterval": 190},
        },
    ),
    ("UpdateCrmIntegrationInput", {"name": "renamed"}),
]


@pytest.mark.parametrize(
    ("name", "value"), CASES, ids=[f"{n}-{i}" for i, (n, _) in enumerate(CASES)]
)
def test_compiled_inputs_equal_strawberry_conversion(name: str, value: dict[str, Any]) -> None:
    assert _definition(name).from_input is not None, f"{name} is not compiled"
    fast, slow = _both_ways(name, value)
    assert type(fast) is type(slow)
    assert fast == slow


def test_every_input_type_of_the_schema_is_compiled() -> None:
    inputs = [
        t.definition
        for t in CONVERTER.type_map.values()
        if isinstance(t.definition, StrawberryObjectDefinition) and t.definition.is_input
    ]
    assert inputs
    assert [d.name for d in inputs if d.from_input is None] == []
