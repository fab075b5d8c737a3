"""Input objects built in one pass: Strawberry's ``from_input`` hook, compiled per type.

Strawberry converts every input object field by field through ``convert_argument``: for each
field of each item it resolves the field's annotation again and walks a chain of isinstance
checks (Maybe, Optional, List, leaf, enum, object). For 10,000 ``AssociationInput`` items that
was 60,000 recursive calls and about half of the server's CPU for the request.

Every input type of our schema is made of leaf scalars, enums, lists of those and other input
types, each field's type fixed once the schema is built. So the plan for a type is computed
once (a tuple of steps, one per field) and ``from_input`` (the hook Strawberry offers for
integrations that build their own inputs, see ``StrawberryObjectDefinition.from_input``)
follows it. A field of any other kind (a custom scalar that parses, a ``Maybe``) makes the whole
type keep Strawberry's own conversion: the plan covers only what it can do exactly as
Strawberry would.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import MISSING
from typing import Any

from strawberry.relay.types import GlobalID
from strawberry.scalars import is_scalar
from strawberry.types.arguments import InputContext
from strawberry.types.base import (
    StrawberryList,
    StrawberryMaybe,
    StrawberryObjectDefinition,
    StrawberryOptional,
    has_object_definition,
)
from strawberry.types.enum import StrawberryEnumDefinition, has_enum_definition
from strawberry.types.lazy_type import LazyType

Convert = Callable[[Any], Any]


class _NotCompilable(Exception):
    """A field whose conversion is not a plain copy: the type keeps Strawberry's path."""


def _leaf(value: Any) -> Any:
    return value


def _converter(type_: Any, scalars: Mapping[object, Any]) -> Convert:
    if isinstance(type_, LazyType):
        type_ = type_.resolve_type()
    if isinstance(type_, StrawberryMaybe):
        raise _NotCompilable
    if isinstance(type_, StrawberryOptional):
        inner = _converter(type_.of_type, scalars)
        return inner if inner is _leaf else (lambda v: None if v is None else inner(v))
    if isinstance(type_, StrawberryList):
        item = _converter(type_.of_type, scalars)
        if item is _leaf:
            return lambda v: None if v is None else list(v)
        return lambda v: None if v is None else [item(x) for x in v]
    if type_ is GlobalID:
        raise _NotCompilable  # Strawberry decodes it
    if is_scalar(type_, scalars):
        return _leaf  # Strawberry returns a scalar's value as graphql-core parsed it
    if isinstance(type_, StrawberryEnumDefinition) or has_enum_definition(type_):
        return _leaf  # graphql-core already gives the enum member
    if has_object_definition(type_):
        definition: StrawberryObjectDefinition = type_.__strawberry_definition__
        if not definition.is_input:
            raise _NotCompilable
        build = _compile(type_, definition, scalars)
        return lambda v: None if v is None else build(v)
    raise _NotCompilable


def _compile(
    cls: type, definition: StrawberryObjectDefinition, scalars: Mapping[object, Any]
) -> Callable[[Mapping[str, Any]], Any]:
    cached: Callable[[Mapping[str, Any]], Any] | None = getattr(cls, "__crmgraph_build__", None)
    if cached is not None:
        return cached
    from strawberry.schema.name_converter import NameConverter

    names = NameConverter()
    implicit_none = {
        f.python_name: None
        for f in definition.fields
        if f.default_value is MISSING and f.default_factory is MISSING
    }
    steps = tuple(
        (
            names.from_field(f),
            f.python_name,
            _converter(f.resolve_type(type_definition=definition), scalars),
        )
        for f in definition.fields
    )

    def build(value: Mapping[str, Any]) -> Any:
        kwargs = dict(implicit_none)
        for graphql_name, python_name, convert in steps:
            if graphql_name in value:
                kwargs[python_name] = convert(value[graphql_name])
        return cls(**kwargs)

    cls.__crmgraph_build__ = build  # type: ignore[attr-defined]
    return build


def install(definitions: Iterable[object], scalars: Mapping[object, Any]) -> list[str]:
    """Give each input type among ``definitions`` a compiled ``from_input``; answers the names
    of the types it compiled."""
    compiled: list[str] = []
    for definition in definitions:
        if (
            not isinstance(definition, StrawberryObjectDefinition)
            or not definition.is_input
            or definition.from_input is not None
        ):
            continue
        try:
            build = _compile(definition.origin, definition, scalars)
        except _NotCompilable:
            continue

        def from_input(
            target: type, value: Mapping[str, Any], _ctx: InputContext, _build: Any = build
        ) -> Any:
            return _build(value)

        definition.from_input = from_input
        compiled.append(definition.name)
    return compiled
