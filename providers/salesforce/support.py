"""What Salesforce provides: capabilities, input rules, and the rows of ``crmCapabilities``."""

from __future__ import annotations

from providers.capabilities import (
    ASSOCIATION_READS,
    LABELS,
    UNIFIED_ASSOCIATIONS,
    AssociationReads,
    Labels,
    Provides,
    Support,
    UnifiedAssociations,
)
from providers.salesforce.client import SalesforceClient
from providers.salesforce.mapping import standard_pairs
from providers.salesforce.rules import RULES


def _conforms(client: SalesforceClient) -> tuple[UnifiedAssociations, AssociationReads, Labels]:
    """Never called: mypy checks here that the client speaks every Protocol it is listed for."""
    return client, client, client


PROVIDES = Provides(
    implementations={
        UNIFIED_ASSOCIATIONS: SalesforceClient,
        ASSOCIATION_READS: SalesforceClient,
        LABELS: SalesforceClient,
    },
    rules=RULES,
    rows=(
        *(
            Support("createAssociation", entity.value, other.value, how)
            for entity, other, how in standard_pairs()
        ),
        Support("associations", "any", "any", "one SOQL query per 200 ids"),
        Support(
            "associationLabels",
            "any",
            "any",
            "the junction objects between the two (OpportunityContactRole, "
            "AccountContactRelation); no call",
        ),
    ),
)
