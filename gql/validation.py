"""Checks on our inputs that GraphQL's types cannot express; each fails before any call."""

from __future__ import annotations

import re
from collections.abc import Sized

from gql.errors import bad_input

# HubSpot object types: names (contacts), ids (0-1, 2-123456) and custom names (p_orders).
_HUBSPOT_OBJECT_TYPE = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
_HUBSPOT_RECORD_ID = re.compile(r"^[0-9]{1,20}$")
_HUBSPOT_ASSOCIATION_TYPE = re.compile(r"^(?:[a-z0-9_]{1,100}|[0-9]{1,10})$")
_GHL_ID = re.compile(r"^[A-Za-z0-9_.-]{1,64}$")


def shown(value: str) -> str:
    """A caller's value as an error message may quote it: never more than 80 characters."""
    return repr(value if len(value) <= 80 else value[:80] + "...")


def _check(pattern: re.Pattern[str], value: str, what: str, hint: str) -> str:
    # fullmatch: with match, "$" would also accept a value ending in a newline.
    if not pattern.fullmatch(value):
        raise bad_input(f"{what} {shown(value)} is not valid: {hint}", field=what)
    return value


def hubspot_object_type(value: str, what: str) -> str:
    return _check(_HUBSPOT_OBJECT_TYPE, value, what, "use a HubSpot object type such as contacts")


def hubspot_record_id(value: str, what: str) -> str:
    return _check(_HUBSPOT_RECORD_ID, value, what, "HubSpot record ids are numbers")


def hubspot_association_type(value: str, what: str) -> str:
    hint = "use a type name such as contact_to_company, or a type id"
    return _check(_HUBSPOT_ASSOCIATION_TYPE, value, what, hint)


def leadconnector_id(value: str, what: str) -> str:
    return _check(_GHL_ID, value, what, "HighLevel ids are letters, digits, '-', '_' or '.'")


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
    return _check(_OBJECT_TYPE, value, what, "letters, digits, '_', '-' or '.'")
