"""HighLevel (LeadConnector) relations."""

from __future__ import annotations

import strawberry

from providers import domain


@strawberry.input(description="Two records and the association that relates them.")
class CreateRelationInput:
    association_id: str = strawberry.field(
        description="An id from associationLabels: a HighLevel association, a HubSpot label, "
        "a Salesforce junction object."
    )
    first_record_id: str = strawberry.field(
        description="The record on the association's first (from) side."
    )
    second_record_id: str = strawberry.field(
        description="The record on the association's second (to) side."
    )
    location_id: str | None = strawberry.field(
        default=None,
        description="HighLevel: the location; the integration's locationId when omitted.",
    )
    role: str | None = strawberry.field(
        default=None,
        description="Salesforce: the junction row's role (OpportunityContactRole.Role, "
        "AccountContactRelation.Roles).",
    )


@strawberry.type(description="A relation between two records through an association.")
class Relation:
    id: strawberry.ID = strawberry.field(
        description="The provider's id for the relation (HighLevel relation, HubSpot pair, "
        "Salesforce junction row)."
    )
    location_id: str | None = strawberry.field(
        description="HighLevel: the location it belongs to; null for the others."
    )
    association_id: str = strawberry.field(description="The association it goes through.")
    first_record_id: str = strawberry.field(description="The first (from) side's record.")
    second_record_id: str = strawberry.field(description="The second (to) side's record.")
    first_object_key: str | None = strawberry.field(
        description="The first side's object kind (HighLevel: contact, "
        "custom_objects.students, ...), when the provider says."
    )
    second_object_key: str | None = strawberry.field(
        description="The second side's object kind, when the provider says."
    )

    @classmethod
    def from_domain(cls, r: domain.Relation) -> Relation:
        return cls(
            id=strawberry.ID(r.id),
            location_id=r.location_id,
            association_id=r.association_id,
            first_record_id=r.first_record_id,
            second_record_id=r.second_record_id,
            first_object_key=r.first_object_key,
            second_object_key=r.second_object_key,
        )
