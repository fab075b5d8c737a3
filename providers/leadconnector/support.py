"""What HighLevel provides: capabilities, input rules, and the rows of ``crmCapabilities``."""

from __future__ import annotations

from providers.capabilities import Provides, Support, every_capability
from providers.leadconnector.client import LeadConnectorClient
from providers.leadconnector.rules import RULES

_RELATIONS = "POST /associations/relations (Version: 2021-07-28)"
_BULK_BUSINESS = "POST /contacts/bulk/business {locationId, ids, businessId}"
_CONTACT_ID = "PUT /opportunities/{id} {contactId}"

PROVIDES = Provides(
    implementations=every_capability(LeadConnectorClient),
    rules=RULES,
    # A second create of the same relation writes nothing but is refused: a 400 "Could not
    # create relation: duplicate relation of object Ids ..." (highlevel-api-docs issue #73),
    # told apart from other 400s only by its text (HighLevel publishes no error codes). A
    # resent pair made before a crash would be answered failed if that text changed, so a
    # window in flight is read back first.
    repeatable_batch_create=False,
    rows=(
        Support("createAssociation", "accounts", "contacts", f"{_BULK_BUSINESS}, one call"),
        Support(
            "createAssociation", "contacts", "accounts", f"{_BULK_BUSINESS} (exactly one account)"
        ),
        Support(
            "createAssociation", "opportunities", "contacts", f"{_CONTACT_ID} (exactly one contact)"
        ),
        Support("createAssociation", "contacts", "opportunities", f"{_CONTACT_ID} per opportunity"),
        Support(
            "createAssociation",
            "accounts, contacts, opportunities",
            "any other of them",
            f"{_RELATIONS} through the location's association definition between the object "
            "keys (business, contact, opportunity)",
        ),
        Support(
            "createDefaultAssociation",
            "any",
            "any",
            f"{_RELATIONS} through the location's SYSTEM_DEFINED association between the two "
            "object keys; an existing relation is a result",
        ),
        Support(
            "batchCreateAssociations",
            "any",
            "any",
            f"{_RELATIONS} per input (type = an association id), at most "
            "CRMGRAPH_BATCH_CONCURRENCY at once under the location's rate budget; an existing "
            "relation is a result",
        ),
        Support("createRelation", "any", "any", _RELATIONS),
        Support(
            "associations",
            "any",
            "any",
            "GET /associations/relations/{recordId}, one call per record",
        ),
        Support("associationLabels", "any", "any", "GET /associations/ definitions"),
    ),
)
