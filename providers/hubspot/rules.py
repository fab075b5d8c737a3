"""HubSpot's input rules: object types, record ids, association types (checked before calls)."""

from __future__ import annotations

import re

from providers.checks import matching
from providers.domain import UnifiedEntity

# Object types: names (contacts), ids (0-1, 2-123456) and custom names (p_orders).
_OBJECT_TYPE = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
_RECORD_ID = re.compile(r"^[0-9]{1,20}$")
# v3 type names (contact_to_company) or a type id; "category:typeId" names a label.
_ASSOCIATION_TYPE = re.compile(
    r"^(?:[a-z0-9_]{1,100}|[0-9]{1,10}"
    r"|[A-Za-z0-9_-]{1,64}/[A-Za-z0-9_-]{1,64}/[A-Z_]{1,40}/[0-9]{1,10})$"
)

ACC, CON, OPP, LEAD = (
    UnifiedEntity.ACCOUNTS,
    UnifiedEntity.CONTACTS,
    UnifiedEntity.OPPORTUNITIES,
    UnifiedEntity.LEADS,
)
# Truto's unified entities as HubSpot objects; leads are HubSpot's leads object (0-136).
OBJECT_OF = {ACC: "companies", CON: "contacts", OPP: "deals", LEAD: "leads"}
# Pairs with a HubSpot-defined default association type (both directions).
DEFAULT_PAIRS = frozenset(
    pair
    for a, b in ((CON, ACC), (OPP, CON), (OPP, ACC), (LEAD, CON), (LEAD, ACC))
    for pair in ((a, b), (b, a))
)


class HubSpotRules:
    provider = "hubspot"

    def object_type(self, value: str, what: str) -> str:
        hint = "use a HubSpot object type such as contacts"
        return matching(_OBJECT_TYPE, value, what, hint, self.provider)

    def record_id(self, value: str, what: str) -> str:
        return matching(_RECORD_ID, value, what, "HubSpot record ids are numbers", self.provider)

    def association_type(self, value: str, what: str) -> str:
        hint = "use a type name such as contact_to_company, or a type id"
        return matching(_ASSOCIATION_TYPE, value, what, hint, self.provider)


RULES = HubSpotRules()
