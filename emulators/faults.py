"""Fault injection for the CRM emulators.

A `FaultPlan` is an ordered list of `FaultRule`s. For every request the plan asks, in order, each
rule whose method and path regex match whether it fires on this call; the first rule that fires
decides the fault (later rules are not consulted, so their counters do not move). A rule fires

* on every matching call (neither `every` nor `rate` set),
* on every Nth matching call (`every=N`: calls N, 2N, 3N, ...), or
* with probability `rate`, drawn from `random.Random(seed)` so runs are reproducible,

at most `times` times when a budget is given.

A faulted call does not apply its side effect, except `PARTIAL_BATCH` (the items that do not fail
are applied) and, when `apply_before_fault=True`, `SERVER_ERROR`, `TIMEOUT`, `DROP` and
`MALFORMED_JSON` (the server did the work but the reply is a 5xx, lost or garbled).

`PARTIAL_BATCH` and `BATCH_CONFLICT` are handled inside the HubSpot batch handlers (they need the
batch inputs); on any other endpoint they are ignored, so give those rules a path regex.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class FaultKind(StrEnum):
    RATE_LIMIT = "rate_limit"  # 429 with Retry-After: <retry_after>
    RATE_LIMIT_NO_RETRY_AFTER = "rate_limit_no_retry_after"  # 429 without Retry-After
    SERVER_ERROR = "server_error"  # 500, 502 or 503 (`status`, default 500)
    TIMEOUT = "timeout"  # hold the reply `delay` s, then 504 (or the real reply if applied)
    DROP = "drop"  # close the connection without answering
    MALFORMED_JSON = "malformed_json"  # 2xx with a truncated JSON body
    PARTIAL_BATCH = "partial_batch"  # HubSpot 207: inputs at `fail_indexes` fail
    BATCH_CONFLICT = "batch_conflict"  # HubSpot 409 failing the whole batch


# Kinds the provider handlers apply themselves (the middleware only tags the request).
HANDLER_KINDS = frozenset({FaultKind.PARTIAL_BATCH, FaultKind.BATCH_CONFLICT})
SERVER_ERROR_STATUSES = frozenset({500, 502, 503})


@dataclass(eq=False)
class FaultRule:
    kind: FaultKind
    method: str | None = None  # None matches any method
    path: str = ""  # regex searched in the request path; "" matches every path
    every: int | None = None
    rate: float | None = None
    seed: int = 0
    times: int | None = None  # budget of firings; None = unlimited
    status: int | None = None  # SERVER_ERROR: 500/502/503; MALFORMED_JSON: 2xx override
    retry_after: int = 1  # RATE_LIMIT: Retry-After seconds (may be 0)
    delay: float = 30.0  # TIMEOUT: seconds the reply is held
    apply_before_fault: bool = False  # SERVER_ERROR/TIMEOUT/DROP/MALFORMED_JSON: handler first
    fail_indexes: tuple[int, ...] | None = None  # PARTIAL_BATCH: None = odd indexes (or [0])
    category: str = "INTERNAL_ERROR"  # PARTIAL_BATCH: category of the per-item errors
    raw_body: str | None = None  # replaces the provider's JSON error body (e.g. an HTML 502)
    matched: int = field(default=0, init=False)
    fired: int = field(default=0, init=False)
    _rng: random.Random = field(init=False, repr=False)
    _regex: re.Pattern[str] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.kind = FaultKind(self.kind)
        if self.every is not None and self.every < 1:
            raise ValueError("every must be >= 1")
        if self.rate is not None and not 0.0 <= self.rate <= 1.0:
            raise ValueError("rate must be within [0, 1]")
        if self.every is not None and self.rate is not None:
            raise ValueError("use either every or rate, not both")
        if self.kind is FaultKind.SERVER_ERROR:
            self.status = self.status or 500
            if self.status not in SERVER_ERROR_STATUSES:
                raise ValueError("server_error status must be 500, 502 or 503")
        if self.fail_indexes is not None:
            self.fail_indexes = tuple(self.fail_indexes)
        self.method = self.method.upper() if self.method else None
        self._rng = random.Random(self.seed)
        self._regex = re.compile(self.path)

    def matches(self, method: str, path: str) -> bool:
        if self.method is not None and self.method != method.upper():
            return False
        return self._regex.search(path) is not None

    @property
    def exhausted(self) -> bool:
        return self.times is not None and self.fired >= self.times

    def decide(self) -> bool:
        """Count one matching call and tell whether the rule fires on it."""
        self.matched += 1
        if self.exhausted:
            return False
        if self.every is not None:
            fire = self.matched % self.every == 0
        elif self.rate is not None:
            fire = self._rng.random() < self.rate
        else:
            fire = True
        if fire:
            self.fired += 1
        return fire

    def failing_indexes(self, size: int) -> set[int]:
        """Input indexes a PARTIAL_BATCH fault fails in a batch of `size` inputs."""
        if self.fail_indexes is not None:
            return {i for i in self.fail_indexes if 0 <= i < size}
        odd = set(range(1, size, 2))
        return odd or ({0} if size else set())


@dataclass
class FaultPlan:
    rules: list[FaultRule] = field(default_factory=list)

    def add(self, rule: FaultRule) -> FaultRule:
        self.rules.append(rule)
        return rule

    def inject(self, kind: FaultKind | str, **options: Any) -> FaultRule:
        """Shorthand: `plan.inject("rate_limit", path="/batch/", every=2, retry_after=0)`."""
        return self.add(FaultRule(FaultKind(kind), **options))

    def clear(self) -> None:
        self.rules.clear()

    def pick(self, method: str, path: str) -> FaultRule | None:
        for rule in self.rules:
            if rule.matches(method, path) and rule.decide():
                return rule
        return None

    @property
    def fired(self) -> int:
        return sum(rule.fired for rule in self.rules)


_INT_OPTIONS = frozenset({"every", "seed", "times", "status", "retry_after"})
_FLOAT_OPTIONS = frozenset({"rate", "delay"})
_STR_OPTIONS = frozenset({"method", "path", "category", "raw_body"})


def parse_rule(spec: str) -> FaultRule:
    """Parse `kind[:key=value;key=value...]`, e.g. for a sandbox command-line option.

    Example: `rate_limit:method=POST;path=/batch/;rate=0.2;seed=7;retry_after=0`.
    `fail_indexes` takes comma-separated ints; `apply_before_fault` takes true/false.
    """
    kind, _, rest = spec.partition(":")
    options: dict[str, Any] = {}
    for item in filter(None, (part.strip() for part in rest.split(";"))):
        key, sep, value = item.partition("=")
        if not sep:
            raise ValueError(f"fault option {item!r} is not key=value")
        if key in _INT_OPTIONS:
            options[key] = int(value)
        elif key in _FLOAT_OPTIONS:
            options[key] = float(value)
        elif key in _STR_OPTIONS:
            options[key] = value
        elif key == "apply_before_fault":
            options[key] = value.lower() in {"1", "true", "yes"}
        elif key == "fail_indexes":
            options[key] = tuple(int(i) for i in value.split(",") if i)
        else:
            raise ValueError(f"unknown fault option {key!r}")
    return FaultRule(FaultKind(kind.strip()), **options)
