"""Lists completed by the plan answer exactly what graphql-core's own completion answers."""

from __future__ import annotations

import enum
from typing import Any

import pytest
import strawberry
from strawberry.extensions import SchemaExtension

from gql.fast_results import FastListExecutionContext


@strawberry.type
class Ref:
    id: strawberry.ID


@strawberry.enum
class Colour(enum.Enum):
    RED = "red"


@strawberry.type
class Item:
    from_: Ref = strawberry.field(name="from")
    to: Ref | None
    label: str
    count: int
    colour: Colour | None = None

    @strawberry.field
    def shout(self) -> str:
        return self.label.upper()


def _items(n: int, *, broken: int | None = None) -> list[Item]:
    return [
        Item(
            from_=Ref(id=strawberry.ID(str(i))),
            to=None if i % 3 == 0 else Ref(id=strawberry.ID(f"t{i}")),
            label=None if i == broken else f"item {i}",  # type: ignore[arg-type]
            count=i,
            colour=Colour.RED if i % 2 else None,
        )
        for i in range(n)
    ]


@strawberry.type
class Query:
    @strawberry.field
    def items(self, broken: int | None = None) -> list[Item]:
        return _items(5, broken=broken)

    @strawberry.field
    def maybe_items(self, broken: int | None = None) -> list[Item | None] | None:
        return [*_items(4, broken=broken), None]


RESOLVED: list[str] = []


class Tracing(SchemaExtension):
    def resolve(self, _next: Any, root: Any, info: Any, *args: Any, **kwargs: Any) -> Any:
        RESOLVED.append(f"{info.parent_type.name}.{info.field_name}")
        return _next(root, info, *args, **kwargs)


FAST = strawberry.Schema(query=Query, execution_context_class=FastListExecutionContext)
PLAIN = strawberry.Schema(query=Query)

QUERIES = [
    "{ items { from { id } to { id } label count colour } }",
    "{ items { a: label b: label from { __typename id } __typename } }",
    "{ items { ...F to { ... on Ref { id } } } } fragment F on Item { count from { id } }",
    "query($s: Boolean!) { items { label @skip(if: $s) count @include(if: $s) } }",
    "{ items { label shout } }",  # a resolver: graphql-core's path
    "{ items(broken: 2) { count label } }",  # a null in a non-null field
    "{ maybeItems(broken: 1) { count label } }",
    "{ maybeItems { count to { id } } }",
]


@pytest.mark.parametrize("query", QUERIES)
def test_same_answer_as_graphql_core(query: str) -> None:
    fast = FAST.execute_sync(query, variable_values={"s": True})
    plain = PLAIN.execute_sync(query, variable_values={"s": True})
    assert fast.data == plain.data
    assert [(e.message, e.path) for e in fast.errors or []] == [
        (e.message, e.path) for e in plain.errors or []
    ]


def test_the_plan_completes_plain_lists() -> None:
    """The fast path is taken (it reads attributes, never calls the fields' resolvers)."""
    calls: list[str] = []

    class Counting(FastListExecutionContext):
        def execute_field(self, parent_type: Any, *args: Any, **kwargs: Any) -> Any:
            calls.append(parent_type.name)
            return super().execute_field(parent_type, *args, **kwargs)

    schema = strawberry.Schema(query=Query, execution_context_class=Counting)
    result = schema.execute_sync("{ items { from { id } to { id } label } }")
    assert result.errors is None
    assert len(result.data["items"]) == 5
    assert calls == ["Query"]  # only the root field; no field of Item or Ref


def test_middleware_sees_every_field() -> None:
    """A resolve hook (tracing, metrics) still wraps every field: no plan under middleware."""
    RESOLVED.clear()
    schema = strawberry.Schema(
        query=Query, execution_context_class=FastListExecutionContext, extensions=[Tracing]
    )
    result = schema.execute_sync("{ items { label } }")
    assert result.data == PLAIN.execute_sync("{ items { label } }").data
    assert RESOLVED == ["Query.items"] + ["Item.label"] * 5
