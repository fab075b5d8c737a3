"""Experiment: keep the cyclic GC off the long-lived startup objects (a monkeypatch, not a fix).

A 10,000-input request allocates hundreds of thousands of container objects (input dicts,
Strawberry inputs, domain pairs, results, graphql-core's response), which triggers full
(generation 2) collections that walk every object alive, the schema and modules included.
``gc.freeze()`` once the app has started moves what exists then out of the collector's sight
(the recipe the ``gc`` module documents for servers). Raising the generation-0 threshold as
well (``gc.set_threshold(10_000, 10, 10)``) saves more CPU but lets garbage cycles live longer:
peak RSS went from 145 MB to 198 MB at N=10,000, too close to the 200 MB goal.

    .venv/bin/python bench/associations.py --patch bench/experiments/gc_freeze.py
"""

from __future__ import annotations

import gc
from typing import Any

import gql.app

_build_app = gql.app.build_app


def build_app(*args: Any, **kwargs: Any) -> Any:
    app = _build_app(*args, **kwargs)

    async def freeze(_: Any) -> None:
        gc.collect()
        gc.freeze()

    app.on_startup.append(freeze)
    return app


gql.app.build_app = build_app
