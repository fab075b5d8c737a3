"""Experiment: memoise Strawberry's per-field type resolution (a monkeypatch, not a fix).

Strawberry's ``convert_argument`` calls ``StrawberryField.resolve_type()`` (annotation
resolution, ``_is_type_generic``) for every field of every input object it converts: 50,000
calls for 10,000 ``AssociationInput`` items, each giving the same answer once the schema is
built. This caches the answer per (field, type definition).

    .venv/bin/python bench/associations.py --patch bench/experiments/cache_input_field_types.py
"""

from __future__ import annotations

from typing import Any

from strawberry.types.field import UNRESOLVED, StrawberryField

_resolve = StrawberryField.resolve_type
_cache: dict[tuple[int, int], Any] = {}


def resolve_type(self: StrawberryField, *, type_definition: Any = None) -> Any:
    key = (id(self), id(type_definition))
    found = _cache.get(key)
    if found is None:
        found = _resolve(self, type_definition=type_definition)
        if found is not UNRESOLVED:
            _cache[key] = found
    return found


StrawberryField.resolve_type = resolve_type  # type: ignore[method-assign]
