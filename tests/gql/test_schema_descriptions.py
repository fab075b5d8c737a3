"""Every type, field, argument, input field and enum value of our own has a description: the
text a GraphiQL user reads in the docs pane. Built-in (``__*``, scalars of the spec) and
federation (``_Service``, ``_Entity``, ``_Any``, ``_service``, ``_entities``) parts are not
ours to describe."""

from __future__ import annotations

from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLObjectType,
    GraphQLSchema,
    GraphQLUnionType,
)
from graphql.type import specified_scalar_types

from gql.schema import build_schema

# Federation's own parts, and the spec's scalars.
NOT_OURS = {"_Service", "_Entity", "_Any", "_FieldSet", "link__Import", "link__Purpose"}
FEDERATION_FIELDS = {"_service", "_entities"}


def missing_descriptions(schema: GraphQLSchema) -> list[str]:
    """Schema coordinates (``Type.field(arg:)``) of our own that have no description."""
    missing: list[str] = []

    def lacks(description: str | None) -> bool:
        return not (description and description.strip())

    for name, type_ in sorted(schema.type_map.items()):
        if name.startswith("__") or name in NOT_OURS or name in specified_scalar_types:
            continue
        if lacks(type_.description):
            missing.append(name)
        if isinstance(type_, GraphQLObjectType | GraphQLInterfaceType):
            for field_name, field in type_.fields.items():
                if field_name in FEDERATION_FIELDS:
                    continue
                if lacks(field.description):
                    missing.append(f"{name}.{field_name}")
                missing += [
                    f"{name}.{field_name}({arg_name}:)"
                    for arg_name, arg in field.args.items()
                    if lacks(arg.description)
                ]
        elif isinstance(type_, GraphQLInputObjectType):
            missing += [
                f"{name}.{field_name}"
                for field_name, field in type_.fields.items()
                if lacks(field.description)
            ]
        elif isinstance(type_, GraphQLEnumType):
            missing += [
                f"{name}.{value_name}"
                for value_name, value in type_.values.items()
                if lacks(value.description)
            ]
        elif isinstance(type_, GraphQLUnionType):
            pass  # a union has only its own description
    return missing


def test_everything_of_ours_has_a_description() -> None:
    missing = missing_descriptions(build_schema()._schema)
    assert not missing, f"{len(missing)} without a description:\n" + "\n".join(missing)


def test_the_walk_finds_a_missing_description() -> None:
    # The check itself can fail: a schema with an undescribed field is reported.
    from graphql import build_schema as from_sdl

    schema = from_sdl(
        '"A thing." type Query { "Described." a: Int b(x: Int, y: In): Int }'
        ' enum E { "Described." A B } "Described." input In { "Described." c: Int d: E }'
    )
    assert missing_descriptions(schema) == [
        "E",
        "E.B",
        "In.d",
        "Query.b",
        "Query.b(x:)",
        "Query.b(y:)",
    ]
