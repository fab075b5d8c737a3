"""HighLevel's input rules: ids, object keys, and the location a call is billed to."""

from __future__ import annotations

import re

from providers.checks import matching
from providers.domain import Connection, UnifiedEntity
from providers.errors import BadInput

_ID = re.compile(r"^[A-Za-z0-9_.-]{1,64}$")
_OBJECT_KEY = re.compile(r"^[A-Za-z0-9_.-]{1,64}$")  # contact, business, custom_objects.pets
# Truto's unified entities as HighLevel object keys (HighLevel has no leads object).
KEY_OF = {
    UnifiedEntity.ACCOUNTS: "business",
    UnifiedEntity.CONTACTS: "contact",
    UnifiedEntity.OPPORTUNITIES: "opportunity",
}
_ID_HINT = "HighLevel ids are letters, digits, '-', '_' or '.'"


class LeadConnectorRules:
    provider = "leadconnector"

    def object_type(self, value: str, what: str) -> str:
        hint = "use a HighLevel object key such as contact or custom_objects.pets"
        return matching(_OBJECT_KEY, value, what, hint, self.provider)

    def record_id(self, value: str, what: str) -> str:
        return matching(_ID, value, what, _ID_HINT, self.provider)

    def association_type(self, value: str, what: str) -> str:
        return matching(_ID, value, what, _ID_HINT, self.provider)

    def location(self, given: str | None, connection: Connection) -> str:
        """The location of a call: the one given, else the integration's default."""
        if given is not None:
            return self.record_id(given, "locationId")
        if connection.location_id:
            return connection.location_id
        raise BadInput(
            "this HighLevel integration has no locationId: give one, or set the integration's "
            "default with updateCrmIntegration",
            field="locationId",
            provider=self.provider,
        )


RULES = LeadConnectorRules()
