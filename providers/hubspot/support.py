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
            "associations",
            "any",
            "any",
            "POST /crm/v4/associations/{from}/{to}/batch/read, 1,000 ids a call",
        ),
        Support("associationLabels", "any", "any", "GET /crm/v4/associations/{from}/{to}/labels"),
    ),
)
