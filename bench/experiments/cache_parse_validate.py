"""Experiment: Strawberry's ParserCache and ValidationCache on crmgraph's schema.

Every request parses and validates its document again (about a third of the CPU of a
one-association request). Strawberry ships LRU caches for both; their caches are module-level,
so they work as per-request factories, like the other extensions in ``gql/schema.py``.

    .venv/bin/python bench/associations.py --patch bench/experiments/cache_parse_validate.py
"""

from __future__ import annotations

from typing import Any

from strawberry.extensions import ParserCache, ValidationCache

import gql.schema

_init = gql.schema.CrmGraphSchema.__init__


def __init__(self: Any, *args: Any, **kwargs: Any) -> None:
    kwargs["extensions"] = [*kwargs.get("extensions", ()), ParserCache, ValidationCache]
    _init(self, *args, **kwargs)


gql.schema.CrmGraphSchema.__init__ = __init__  # type: ignore[method-assign]
