"""The one way a provider's rules refuse an input: ``BadInput`` naming the field as sent."""

from __future__ import annotations

import re

from providers.errors import BadInput


def shown(value: str) -> str:
    """A caller's value as an error message may quote it: never more than 80 characters."""
    return repr(value if len(value) <= 80 else value[:80] + "...")


def matching(pattern: re.Pattern[str], value: str, what: str, hint: str, provider: str) -> str:
    # fullmatch: with match, "$" would also accept a value ending in a newline.
    if not pattern.fullmatch(value):
        raise BadInput(f"{what} {shown(value)} is not valid: {hint}", field=what, provider=provider)
    return value
