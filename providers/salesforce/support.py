"""What Salesforce provides: capabilities, input rules, and the rows of ``crmCapabilities``."""

from __future__ import annotations

from providers.capabilities import (
    ASSOCIATION_READS,
    BATCH_ASSOCIATIONS,
    DEFAULT_ASSOCIATIONS,
    LABELS,
    RELATIONS,
    UNIFIED_ASSOCIATIONS,
    AssociationReads,
    BatchAssociations,
    DefaultAssociations,
    Labels,
    Provides,
    Relations,
    Support,
    UnifiedAssociations,
)
from providers.salesforce.client import SalesforceClient
from providers.salesforce.mapping import JUNCTIONS, standard_pairs
from providers.salesforce.rules import RULES


def _conforms(
    client: SalesforceClient,
) -> tuple[
    UnifiedAssociations, DefaultAssociations, BatchAssociations, Relations, AssociationReads, Labels
]:
    """Never called: mypy checks here that the client speaks every Protocol it is listed for."""
    return client, client, client, client, client, client


_COLLECTIONS = "sObject Collections, 200 records a call"

PROVIDES = Provides(
    implementations={
        UNIFIED_ASSOCIATIONS: SalesforceClient,
        DEFAULT_ASSOCIATIONS: SalesforceClient,
        BATCH_ASSOCIATIONS: SalesforceClient,
        RELATIONS: SalesforceClient,
        ASSOCIATION_READS: SalesforceClient,
        LABELS: SalesforceClient,
    },
    rules=RULES,
    rows=(
        *(
            Support("createAssociation", entity.value, other.value, f"{how}, {_COLLECTIONS}")
            for entity, other, how in standard_pairs()
        ),
        *(
            Support("createDefaultAssociation", entity.value, other.value, how)
            for entity, other, how in standard_pairs()
        ),
        *(
            Support(
                "batchCreateAssociations",
                entity.value,
                other.value,
                f"type default: {how}, {_COLLECTIONS}",
            )
            for entity, other, how in standard_pairs()
        ),
        *(
            Support(
                "batchCreateAssociations",
                j.first.value,
                j.second.value,
                f"type {j.sobject}: one {j.sobject} row per input, {_COLLECTIONS}",
            )
            for j in JUNCTIONS.values()
        ),
        *(
            Support(
                "createRelation",
                j.first.value,
                j.second.value,
                f"a {j.sobject} row with {j.role_field} = role"
                + (
                    " (DUPLICATE_VALUE on a second row: ALREADY_EXISTS)"
                    if j.unique_per_pair
                    else " (SOQL first: an existing pair is ALREADY_EXISTS)"
                ),
            )
            for j in JUNCTIONS.values()
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
