"""What Salesforce provides: capabilities, input rules, and the rows of ``crmCapabilities``."""

from __future__ import annotations

from providers.capabilities import (
    RECORD_LOOKUPS,
    Provides,
    RecordLookups,
    Support,
    every_capability,
)
from providers.salesforce.client import SalesforceClient
from providers.salesforce.mapping import JUNCTIONS, standard_pairs
from providers.salesforce.rules import RULES

_COLLECTIONS = "sObject Collections, 200 records a call"


def _conforms(client: SalesforceClient) -> RecordLookups:
    """Never called: mypy checks here that the client speaks RecordLookups too."""
    return client


PROVIDES = Provides(
    implementations={**every_capability(SalesforceClient), RECORD_LOOKUPS: SalesforceClient},
    rules=RULES,
    # An sObject Collections insert of an OpportunityContactRole for a pair that has one makes
    # a second row (the API allows duplicates; the client's query before insert is ours, not
    # atomic). An AccountContactRelation sent twice is refused (DUPLICATE_VALUE) and a lookup
    # set twice is the same, but one such type is enough: a window in flight is read back.
    repeatable_batch_create=False,
    rows=(
        *(
            Support("createAssociation", entity.value, other.value, f"{how}, {_COLLECTIONS}")
            for entity, other, how in standard_pairs()
        ),
        *(
            Support(
                "createDefaultAssociation",
                entity.value,
                other.value,
                how
                + (
                    "; a contact with another account keeps it and gets an "
                    "AccountContactRelation (SOQL first)"
                    if {entity.value, other.value} == {"accounts", "contacts"}
                    else ""
                ),
            )
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
                f"an {j.sobject} row with {j.role_field} = role"
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
            "crmRecords",
            "any",
            "any",
            "ids the selected associations do not vouch for: SELECT Id ... WHERE Id IN, "
            "200 ids a query",
        ),
        Support(
            "associationLabels",
            "any",
            "any",
            "the junction objects between the two (OpportunityContactRole, "
            "AccountContactRelation); no call",
        ),
    ),
)
