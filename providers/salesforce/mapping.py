"""How a unified association becomes Salesforce writes.

Salesforce has no association endpoint: a relationship is a lookup field on one record or a
row of a junction object. ``plan()`` turns one unified request into those writes, before any
call, and refuses what Salesforce cannot express. The README's table mirrors ``_RULES``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum

from providers.domain import UnifiedAssociationRequest, UnifiedEntity
from providers.errors import InvalidRequest, Unsupported

ACC, OPP, CON, LEAD = (
    UnifiedEntity.ACCOUNTS,
    UnifiedEntity.OPPORTUNITIES,
    UnifiedEntity.CONTACTS,
    UnifiedEntity.LEADS,
)

# 15- or 18-character record ids; anything else never reaches a SOQL string.
_SALESFORCE_ID = re.compile(r"^[A-Za-z0-9]{15}(?:[A-Za-z0-9]{3})?$")


class Kind(Enum):
    LOOKUP_ON_ASSOCIATED = "lookup on each associated record"
    LOOKUP_ON_ENTITY = "lookup on the entity (exactly one associated record)"
    JUNCTION = "junction row per pair"


@dataclass(frozen=True)
class Rule:
    kind: Kind
    sobject: str  # the object written
    field: str  # the lookup field set, or for a junction the entity's column


# (entity, associated collection) -> how Salesforce expresses it.
_RULES: dict[tuple[UnifiedEntity, UnifiedEntity], Rule] = {
    (ACC, CON): Rule(Kind.LOOKUP_ON_ASSOCIATED, "Contact", "AccountId"),
    (ACC, OPP): Rule(Kind.LOOKUP_ON_ASSOCIATED, "Opportunity", "AccountId"),
    (ACC, ACC): Rule(Kind.LOOKUP_ON_ASSOCIATED, "Account", "ParentId"),
    (OPP, ACC): Rule(Kind.LOOKUP_ON_ENTITY, "Opportunity", "AccountId"),
    (CON, ACC): Rule(Kind.LOOKUP_ON_ENTITY, "Contact", "AccountId"),
    (OPP, CON): Rule(Kind.JUNCTION, "OpportunityContactRole", "OpportunityId"),
    (CON, OPP): Rule(Kind.JUNCTION, "OpportunityContactRole", "ContactId"),
}

_SOBJECT = {ACC: "Account", OPP: "Opportunity", CON: "Contact", LEAD: "Lead"}


@dataclass(frozen=True)
class LookupWrite:
    """Set ``field`` on ``sobject`` ``record_id``; reported against ``(entity, reported_id)``."""

    sobject: str
    record_id: str
    field: str
    value: str
    entity: UnifiedEntity
    reported_id: str


@dataclass(frozen=True)
class JunctionWrite:
    """One ``OpportunityContactRole`` row, created only if the pair is not there yet."""

    opportunity_id: str
    contact_id: str
    entity: UnifiedEntity
    reported_id: str


@dataclass(frozen=True)
class Plan:
    lookups: tuple[LookupWrite, ...]
    junctions: tuple[JunctionWrite, ...]


def rules_table() -> list[tuple[str, str, str]]:
    """(entity, associations key, Salesforce write) rows, for docs and tests."""
    rows = []
    for (entity, other), rule in _RULES.items():
        rows.append((entity.name, other.value, f"{rule.sobject}.{rule.field} ({rule.kind.value})"))
    return rows


def check_id(value: str, what: str) -> str:
    if not _SALESFORCE_ID.fullmatch(value):
        raise InvalidRequest(
            f"{what} {value[:40]!r} is not a Salesforce record id (15 or 18 letters and digits)",
            provider="salesforce",
        )
    return value


def plan(request: UnifiedAssociationRequest) -> Plan:
    """Every write the request needs; raises before any call on what cannot be expressed."""
    check_id(request.entity_id, f"entityId for {request.entity.value}")
    lookups: list[LookupWrite] = []
    junctions: list[JunctionWrite] = []
    if not any(request.associations.values()):
        raise InvalidRequest("associations lists no record to associate", provider="salesforce")
    for other, ids in request.associations.items():
        if not ids:
            continue
        rule = _RULES.get((request.entity, other))
        if rule is None:
            raise Unsupported(
                f"Salesforce has no standard relationship from {request.entity.value} to "
                f"{other.value}"
                + (
                    " (leads relate to nothing before conversion)"
                    if LEAD in (request.entity, other)
                    else ""
                ),
                provider="salesforce",
            )
        unique = list(dict.fromkeys(check_id(i, f"{other.value} id") for i in ids))
        if rule.kind is Kind.LOOKUP_ON_ASSOCIATED:
            lookups += [
                LookupWrite(rule.sobject, i, rule.field, request.entity_id, other, i)
                for i in unique
            ]
        elif rule.kind is Kind.LOOKUP_ON_ENTITY:
            if len(unique) > 1:
                raise InvalidRequest(
                    f"a {_SOBJECT[request.entity]} has one {rule.field}: give exactly one "
                    f"of {other.value}, not {len(unique)}",
                    provider="salesforce",
                )
            lookups.append(
                LookupWrite(
                    rule.sobject, request.entity_id, rule.field, unique[0], other, unique[0]
                )
            )
        else:
            for i in unique:
                opp, con = (
                    (request.entity_id, i)
                    if rule.field == "OpportunityId"
                    else (i, request.entity_id)
                )
                junctions.append(JunctionWrite(opp, con, other, i))
    return Plan(tuple(lookups), tuple(junctions))


@dataclass(frozen=True)
class ReadQuery:
    """The SOQL that lists what ``ids`` are associated with, and how to read its rows."""

    soql: str
    key_field: str  # the column holding one of ``ids``
    other_field: str  # the column holding the associated record


def read_query(entity: UnifiedEntity, other: UnifiedEntity, ids: list[str]) -> ReadQuery:
    rule = _RULES.get((entity, other))
    if rule is None:
        raise Unsupported(
            f"Salesforce has no standard relationship from {entity.value} to {other.value}",
            provider="salesforce",
        )
    quoted = ", ".join(f"'{check_id(i, 'id')}'" for i in ids)
    if rule.kind is Kind.LOOKUP_ON_ASSOCIATED:
        key, value = rule.field, "Id"
    elif rule.kind is Kind.LOOKUP_ON_ENTITY:
        key, value = "Id", rule.field
    else:
        key = rule.field
        value = "ContactId" if key == "OpportunityId" else "OpportunityId"
    soql = f"SELECT {key}, {value} FROM {rule.sobject} WHERE {key} IN ({quoted})"
    return ReadQuery(soql, key, value)


def sobject_of(entity: UnifiedEntity) -> str:
    """accounts -> Account."""
    return _SOBJECT[entity]


def entity_named(name: str) -> UnifiedEntity | None:
    """``accounts`` or ``Account`` (any case) -> UnifiedEntity."""
    lowered = name.lower()
    for entity, sobject in _SOBJECT.items():
        if lowered in (entity.value, sobject.lower()):
            return entity
    return None


# Key prefixes of the standard objects' record ids (the same in every org).
KEY_PREFIXES = {ACC: "001", CON: "003", OPP: "006", LEAD: "00Q"}


@dataclass(frozen=True)
class Junction:
    """A junction object that relates two records with a role: ``createRelation``'s rows."""

    sobject: str
    first: UnifiedEntity
    first_field: str
    second: UnifiedEntity
    second_field: str
    role_field: str
    # OpportunityContactRole takes any number of rows per pair (we query first);
    # AccountContactRelation refuses a second one with DUPLICATE_VALUE.
    unique_per_pair: bool

    def fields_for(self, first_id: str, second_id: str) -> dict[str, str]:
        """The row's two keys, whichever order the ids came in (told apart by key prefix)."""
        if first_id.startswith(KEY_PREFIXES[self.second]):
            first_id, second_id = second_id, first_id
        for entity, value in ((self.first, first_id), (self.second, second_id)):
            if not value.startswith(KEY_PREFIXES[entity]):
                raise InvalidRequest(
                    f"{self.sobject} relates {self.first.value} to {self.second.value}: "
                    f"{value[:40]!r} is not a {_SOBJECT[entity]} id",
                    provider="salesforce",
                )
        return {self.first_field: first_id, self.second_field: second_id}


JUNCTIONS: dict[str, Junction] = {
    j.sobject: j
    for j in (
        Junction("OpportunityContactRole", OPP, "OpportunityId", CON, "ContactId", "Role", False),
        Junction("AccountContactRelation", ACC, "AccountId", CON, "ContactId", "Roles", True),
    )
}


def relationship_named(name: str) -> Junction | None:
    return JUNCTIONS.get(name)


def junctions_between(a: UnifiedEntity, b: UnifiedEntity) -> list[Junction]:
    return [j for j in JUNCTIONS.values() if {j.first, j.second} == {a, b}]


def relationship_of(entity: UnifiedEntity, other: UnifiedEntity) -> str | None:
    """The standard link between two objects (``Contact.AccountId``), None when none."""
    rule = _RULES.get((entity, other))
    return None if rule is None else f"{rule.sobject}.{rule.field}"


def standard_pairs() -> list[tuple[UnifiedEntity, UnifiedEntity, str]]:
    """(entity, associated, how) for every pair ``_RULES`` expresses."""
    return [
        (entity, other, f"{rule.sobject}.{rule.field} ({rule.kind.value})")
        for (entity, other), rule in _RULES.items()
    ]
