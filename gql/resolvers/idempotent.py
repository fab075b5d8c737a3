"""``idempotencyKey`` on the mutations that call a provider."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from gql.context import Info
from gql.errors import ApiError, Code, bad_input
from gql.store.idempotency import InProgress, KeyReused, fingerprint

T = TypeVar("T")

KEY_HELP = (
    "Send the same key to repeat this mutation safely: the first answer is returned again "
    "without calling the provider (kept for CRMGRAPH_IDEMPOTENCY_TTL_SECONDS)."
)


async def once(
    info: Info,
    key: str | None,
    operation: str,
    request: Any,
    result_type: Any,
    call: Callable[[], Awaitable[T]],
) -> T:
    if key is None:
        return await call()
    if not 1 <= len(key) <= 255 or not key.isprintable():
        raise bad_input(
            "idempotencyKey must be 1 to 255 printable characters", field="idempotencyKey"
        )
    ctx = info.context
    try:
        return await ctx.idempotency.run(
            ctx.tenant, key, fingerprint(operation, request), result_type, call
        )
    except KeyReused:
        raise ApiError(
            Code.IDEMPOTENCY_KEY_REUSED,
            "this idempotencyKey was used with a different operation or input",
        ) from None
    except InProgress as exc:
        raise ApiError(
            Code.IDEMPOTENCY_KEY_IN_PROGRESS,
            "a request with this idempotencyKey is still running: retry with the same key",
            retryAfter=exc.retry_after,
        ) from None
