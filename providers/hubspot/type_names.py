"""v3 association type names, translated for the date-versioned batch create.

``batchCreateAssociations`` takes v3 type names (``contact_to_company``) or type ids. The
``2026-09`` batch create takes ``{associationCategory, associationTypeId}`` and, by third-party
reports (../shared/specs/README.md), refuses the old names; so each name becomes its
HubSpot-defined type id here, and a name this table does not know fails its own input with
``BAD_USER_INPUT`` before any call.
"""

from __future__ import annotations

from providers.domain import AssociationSpec

HUBSPOT_DEFINED = "HUBSPOT_DEFINED"
USER_DEFINED = "USER_DEFINED"

# name -> (from object, to object, unlabeled default type id): HubSpot's "association type id
# values" (../shared/specs/README.md lists the contact, company, deal and ticket ones).
_V3_NAMES: dict[str, tuple[str, str, int]] = {
    "contact_to_company": ("contact", "company", 279),
    "company_to_contact": ("company", "contact", 280),
    "deal_to_contact": ("deal", "contact", 3),
    "contact_to_deal": ("contact", "deal", 4),
    "deal_to_company": ("deal", "company", 341),
    "company_to_deal": ("company", "deal", 342),
    "contact_to_ticket": ("contact", "ticket", 15),
    "ticket_to_contact": ("ticket", "contact", 16),
    "ticket_to_company": ("ticket", "company", 339),
    "company_to_ticket": ("company", "ticket", 340),
    "deal_to_ticket": ("deal", "ticket", 27),
    "ticket_to_deal": ("ticket", "deal", 28),
    "lead_to_contact": ("lead", "contact", 608),
    "contact_to_lead": ("contact", "lead", 609),
    "lead_to_company": ("lead", "company", 610),
    "company_to_lead": ("company", "lead", 611),
}
# The primary labels are HubSpot-defined too (contact->company 1, company->contact 2, ...).
_HUBSPOT_DEFINED_IDS = {i for _, _, i in _V3_NAMES.values()} | {
    *(1, 2, 5, 6, 25, 26),
    *(578, 579, 580, 581),
}
_CATEGORIES = {"HUBSPOT_DEFINED", "USER_DEFINED", "INTEGRATOR_DEFINED", "WORK"}
# contacts / contact / 0-1 -> contact (a custom object keeps its own name)
_OBJECTS = {
    alias: singular
    for plural, type_id, singular in (
        ("contacts", "0-1", "contact"),
        ("companies", "0-2", "company"),
        ("deals", "0-3", "deal"),
        ("tickets", "0-5", "ticket"),
        ("leads", "0-136", "lead"),
    )
    for alias in (plural, type_id, singular)
}


class UnknownTypeName(ValueError):
    """A type the date-versioned API cannot be given: the input fails, nothing is sent."""


def dated_spec(name: str, from_type: str, to_type: str) -> AssociationSpec:
    """The category and type id of a v3 type name (or type id) between two object types.

    A type id is HubSpot-defined when it is one of HubSpot's own, else a label the account
    defined (``USER_DEFINED``); a label id from ``associationLabels``
    (``contacts/companies/USER_DEFINED/1001``) says its category itself. A name must join the
    two object types it is used between.
    """
    if name.count("/") == 3:
        *_, category, label_type = name.split("/")
        if category not in _CATEGORIES or not label_type.isdigit():
            raise UnknownTypeName(f"{name!r} is not an association label id")
        return AssociationSpec(category, int(label_type))
    if name.isdigit():
        type_id = int(name)
        category = HUBSPOT_DEFINED if type_id in _HUBSPOT_DEFINED_IDS else USER_DEFINED
        return AssociationSpec(category, type_id)
    known = _V3_NAMES.get(name.lower())
    if known is None:
        raise UnknownTypeName(f"{name!r} is not an association type name HubSpot defines")
    wanted_from, wanted_to, type_id = known
    given = (_OBJECTS.get(from_type.lower()), _OBJECTS.get(to_type.lower()))
    if None not in given and given != (wanted_from, wanted_to):
        raise UnknownTypeName(f"{name!r} does not associate {from_type} to {to_type}")
    return AssociationSpec(HUBSPOT_DEFINED, type_id)


__all__ = ["UnknownTypeName", "dated_spec"]
