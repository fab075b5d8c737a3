"""What HighLevel provides: capabilities, input rules, and the rows of ``crmCapabilities``."""

from __future__ import annotations

from providers.capabilities import (
    ASSOCIATION_READS,
    LABELS,
    RELATIONS,
    AssociationReads,
    Labels,
    Provides,
    Relations,
    Support,
)
from providers.leadconnector.client import LeadConnectorClient
from providers.leadconnector.rules import RULES


def _conforms(client: LeadConnectorClient) -> tuple[Relations, AssociationReads, Labels]:
    """Never called: mypy checks here that the client speaks every Protocol it is listed for."""
    return client, client, client


PROVIDES = Provides(
    implementations={
        RELATIONS: LeadConnectorClient,
        ASSOCIATION_READS: LeadConnectorClient,
        LABELS: LeadConnectorClient,
    },
    rules=RULES,
    rows=(
        Support(
            "createRelation",
            "any",
            "any",
            "POST /associations/relations (Version: 2021-07-28)",
        ),
        Support(
            "associations",
            "any",
            "any",
            "GET /associations/relations/{recordId}, one call per record",
        ),
        Support("associationLabels", "any", "any", "GET /associations/ definitions"),
    ),
)
