"""Long result lists completed in one pass: an execution context for lists of plain objects.

graphql-core completes every field of every list item on its own: it builds a resolve info,
calls the field's resolver, checks nullability and coerces the value, about 3 µs a field. A
``batchCreateAssociations`` of 10,000 inputs selects 50,000 such fields (``results { from { id }
to { id } type }``), which made a third of the server's CPU for the request.

When the items of a list are objects whose selected fields are all *basic* Strawberry fields
(an attribute read through Strawberry's default resolver: no resolver function, no arguments,
no directives left after collection, no ``@defer``), the result of each item is fixed by its
attributes alone. For those, the plan of the selection is computed once per list and followed
for every item: read the attribute, complete leaves with the type's own ``coerce_output_value``
and recurse into nested plain objects. Anything else (a resolver, a list or an abstract type
inside, ``is_type_of``, middleware such as tracing) keeps graphql-core's path, and so does a
list in which any item does not fit the plan (a null in a non-null field, a failing
attribute): graphql-core then completes that list from the start and reports the error
exactly as it would have.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from graphql import (
    GraphQLLeafType,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLResolveInfo,
    is_leaf_type,
    is_non_null_type,
    is_object_type,
)
from graphql.execution.collect_fields import FieldDetails
from graphql.pyutils import Path, Undefined
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext
from strawberry.schema.schema_converter import GraphQLCoreConverter

_TYPENAME = object()


class _Miss(Exception):
    """An item the plan cannot complete exactly as graphql-core would."""


# A step: (response key, attribute name or _TYPENAME, non-null?, _Leaf | sub-plan | type name)
Step = tuple[str, Any, bool, Any]
Plan = tuple[Step, ...]


def _complete(plan: Plan, item: Any) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, attribute, non_null, kind in plan:
        if attribute is _TYPENAME:
            out[key] = kind
            continue
        value = getattr(item, attribute)
        if value is None:
            if non_null:
                raise _Miss
            out[key] = None
        elif type(kind) is tuple:
            out[key] = _complete(kind, value)
        else:
            out[key] = kind(value)
    return out


class FastListExecutionContext(StrawberryGraphQLCoreExecutionContext):
    """Strawberry's execution context, with plain-object lists completed by a plan."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._plans: dict[tuple[GraphQLOutputType, int], tuple[list[Any], Plan | None]] = {}

    def complete_iterable_value(
        self,
        item_type: GraphQLOutputType,
        field_details_list: list[FieldDetails],
        info: GraphQLResolveInfo[Any],
        path: Path,
        items: Iterable[Any],
        position_context: Any,
    ) -> Any:
        wrapped = self.middleware_manager is not None and self.middleware_manager.middlewares
        plan = None if wrapped else self._plan(item_type, field_details_list)
        if plan is not None and not self.get_stream_usage(field_details_list, path):
            items = items if isinstance(items, list) else list(items)
            try:
                return [_complete(plan, item) for item in items]
            except Exception:  # graphql-core completes the list again and reports the error
                pass
        return super().complete_iterable_value(
            item_type, field_details_list, info, path, items, position_context
        )

    def _plan(self, item_type: GraphQLOutputType, details: list[FieldDetails]) -> Plan | None:
        # Memoised per list field like graphql-core's collect_subfields: the list is kept
        # alive with the plan so its id is not reused during the execution.
        key = (item_type, id(details))
        cached = self._plans.get(key)
        if cached is None:
            inner = item_type.of_type if is_non_null_type(item_type) else item_type
            plan = self._object_plan(inner, details) if is_object_type(inner) else None
            cached = self._plans[key] = (details, plan)
        return cached[1]

    def _object_plan(
        self, object_type: GraphQLObjectType, details: list[FieldDetails]
    ) -> Plan | None:
        if object_type.is_type_of is not None:
            return None
        grouped, defer_usages, _ = self.collect_subfields(object_type, details)
        if defer_usages:
            return None
        steps: list[Step] = []
        for key, sub_details in grouped.items():
            node = sub_details[0].node
            if node.name.value == "__typename":
                steps.append((key, _TYPENAME, True, object_type.name))
                continue
            field_def = object_type.fields.get(node.name.value)
            if field_def is None or field_def.args or node.arguments:
                return None
            if not getattr(field_def.resolve, "_is_default", False):
                return None  # a resolver of its own
            field = field_def.extensions.get(GraphQLCoreConverter.DEFINITION_BACKREF)
            if field is None or field.default_resolver is not getattr:
                return None
            non_null = is_non_null_type(field_def.type)
            inner = field_def.type.of_type if non_null else field_def.type
            kind: Any
            if is_leaf_type(inner):
                kind = _Leaf(inner)
            elif is_object_type(inner):
                kind = self._object_plan(inner, sub_details)
                if kind is None:
                    return None
            else:
                return None  # lists and abstract types keep graphql-core's path
            steps.append((key, field.python_name, non_null, kind))
        return tuple(steps)


class _Leaf:
    """A leaf type's output coercion, with graphql-core's "no null, no Undefined" rule."""

    __slots__ = ("coerce",)

    def __init__(self, leaf: GraphQLLeafType) -> None:
        self.coerce = leaf.coerce_output_value

    def __call__(self, value: Any) -> Any:
        coerced = self.coerce(value)
        if coerced is None or coerced is Undefined:
            raise _Miss
        return coerced
