"""What HubSpot provides: capabilities, input rules, and the rows of ``crmCapabilities``."""

from __future__ import annotations

from providers.capabilities import (
    ASSOCIATION_READS,
    BATCH_ASSOCIATIONS,
    DEFAULT_ASSOCIATIONS,
    LABELS,
    AssociationReads,
    BatchAssociations,
    DefaultAssociations,
    Labels,
    Provides,
    Support,
)
from providers.hubspot.client import HubSpotClient
from providers.hubspot.rules import RULES


def _conforms(
    client: HubSpotClient,
) -> tuple[DefaultAssociations, BatchAssociations, AssociationReads, Labels]:
    """Never called: mypy checks here that the client speaks every Protocol it is listed for."""
    return client, client, client, client


PROVIDES = Provides(
    implementations={
        DEFAULT_ASSOCIATIONS: HubSpotClient,
        BATCH_ASSOCIATIONS: HubSpotClient,
        ASSOCIATION_READS: HubSpotClient,
        LABELS: HubSpotClient,
    },
    rules=RULES,
    rows=(
        # The 2026-09 paths (the default); `legacy` (CRMGRAPH_HUBSPOT_API_VERSION) calls the v3
        # batch create and the /crm/v4 paths instead (paths.py).
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
            "associations",
            "any",
            "any",
            "POST /crm/associations/2026-09/{from}/{to}/batch/read, 1,000 ids a call",
        ),
        Support(
            "associationLabels", "any", "any", "GET /crm/associations/2026-09/{from}/{to}/labels"
        ),
    ),
)
