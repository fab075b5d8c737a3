"""Provider-neutral checks on our inputs that GraphQL's types cannot express; each fails before
any call. Each provider's own rules (id formats, object types) are in providers/<crm>/rules.py."""

from __future__ import annotations

import re
from collections.abc import Sized

from gql.errors import bad_input
from providers.checks import shown

__all__ = ["batch_size", "object_type", "shown"]


def batch_size(items: Sized, what: str, limit: int) -> None:
    if not items:
        raise bad_input(f"{what} is empty: give at least one item", field=what)
    if len(items) > limit:
        raise bad_input(
            f"{what} has {len(items)} items; at most {limit} are accepted in one request",
            field=what,
            limit=limit,
        )


_OBJECT_TYPE = re.compile(r"^[A-Za-z0-9_.-]{1,64}$")


def object_type(value: str, what: str) -> str:
    """An object type name in any provider (contacts, 0-1, Account, custom_objects.pets)."""
    # fullmatch: with match, "$" would also accept a value ending in a newline.
    if not _OBJECT_TYPE.fullmatch(value):
        hint = "letters, digits, '_', '-' or '.'"
        raise bad_input(f"{what} {shown(value)} is not valid: {hint}", field=what)
    return value
