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
    # Creating an association that exists is not an error and makes no second one (v3, v4 and
    # 2026-09 batch create alike: ../shared/specs/README.md), so a window resent after a
    # crash writes each pair once.
    repeatable_batch_create=True,
    rows=(
        # The 2026-09 paths (the default); `legacy` (CRMGRAPH_HUBSPOT_API_VERSION) calls the v3
        # batch create and the /crm/v4 paths instead (paths.py).
        *(
            Support(
                "createAssociation",
                entity.value,
                other.value,
                f"default {OBJECT_OF[entity]} -> {OBJECT_OF[other]} associations: "
                "POST /crm/associations/2026-09/{from}/{to}/batch/associate/default per object "
                "pair",
            )
            for entity, other in sorted(
                DEFAULT_PAIRS, key=lambda p: (_ORDER.index(p[0]), _ORDER.index(p[1]))
            )
        ),
        Support(
            "createDefaultAssociation",
            "any",
            "any",
            "PUT /crm/objects/2026-09/{from}/{fromId}/associations/default/{to}/{toId}; "
            "operations batched in one HTTP request: POST .../batch/associate/default, up to "
            "2,000 pairs a call",
        ),
        Support(
            "batchCreateAssociations",
            "any",
            "any",
            "POST /crm/associations/2026-09/{from}/{to}/batch/create, up to 2,000 inputs a call "
            "(legacy: v3, 100), type names sent as category and type id",
        ),
        Support(
            "createRelation",
            "any",
            "any",
            "a labelled association: PUT /crm/objects/2026-09/{from}/{fromId}/associations/{to}/"
            "{toId} with the label's category and type id",
        ),
        Support(
            "associations",
            "any",
            "any",
            "POST /crm/associations/2026-09/{from}/{to}/batch/read, 1,000 ids a call",
        ),
        Support(
            "crmRecords",
            "any",
            "any",
            "ids the selected associations do not vouch for (the batch read answers an unknown "
            "record as one with none): POST /crm/objects/2026-09/{type}/batch/read, 100 ids a "
            "call",
        ),
        Support(
            "associationLabels",
            "any",
            "any",
            "GET /crm/associations/2026-09/{from}/{to}/labels; ids from/to/category/typeId",
        ),
    ),
)
