"""What HubSpot provides: capabilities, input rules, and the rows of ``crmCapabilities``."""

from __future__ import annotations

from providers.capabilities import (
    RECORD_LOOKUPS,
    Provides,
    RecordLookups,
    Support,
    every_capability,
)
from providers.hubspot.client import HubSpotClient
from providers.hubspot.rules import DEFAULT_PAIRS, OBJECT_OF, RULES

_ORDER = list(OBJECT_OF)


def _conforms(client: HubSpotClient) -> RecordLookups:
    """Never called: mypy checks here that the client speaks RecordLookups too."""
    return client


PROVIDES = Provides(
    implementations={**every_capability(HubSpotClient), RECORD_LOOKUPS: HubSpotClient},
    rules=RULES,
    rows=(
        *(
            Support(
                "createAssociation",
                entity.value,
                other.value,
                f"default {OBJECT_OF[entity]} -> {OBJECT_OF[other]} associations: "
                "POST /crm/v4/associations/{from}/{to}/batch/associate/default per object pair",
            )
            for entity, other in sorted(
                DEFAULT_PAIRS, key=lambda p: (_ORDER.index(p[0]), _ORDER.index(p[1]))
            )
        ),
        Support(
            "createDefaultAssociation",
            "any",
            "any",
            "PUT /crm/v4/objects/{from}/{fromId}/associations/default/{to}/{toId}; operations "
            "batched in one HTTP request: POST .../batch/associate/default, 100 pairs a call",
        ),
        Support(
            "batchCreateAssociations",
            "any",
            "any",
            "POST /crm/v3/associations/{from}/{to}/batch/create, 100 inputs a call",
        ),
        Support(
            "createRelation",
            "any",
            "any",
            "a labelled association: PUT /crm/v4/objects/{from}/{fromId}/associations/{to}/{toId} "
            "with the label's category and type id",
        ),
        Support(
            "associations",
            "any",
            "any",
            "POST /crm/v4/associations/{from}/{to}/batch/read, 1,000 ids a call",
        ),
        Support(
            "crmRecords",
            "any",
            "any",
            "ids the selected associations do not vouch for (the v4 read answers an unknown "
            "record as one with none): POST /crm/v3/objects/{type}/batch/read, 100 ids a call",
        ),
        Support(
            "associationLabels",
            "any",
            "any",
            "GET /crm/v4/associations/{from}/{to}/labels; ids from/to/category/typeId",
        ),
    ),
)
