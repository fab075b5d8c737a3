"""HighLevel (LeadConnector) relations."""

from __future__ import annotations

import strawberry

from providers import domain

_ID = "HighLevel id: letters, digits, _ . - (1 to 64 characters)."


@strawberry.input(description="A HighLevel relation to create (POST /associations/relations).")
class CreateRelationInput:
    location_id: str = strawberry.field(
        description=f"The location (sub-account) the records are in. {_ID}"
    )
    association_id: str = strawberry.field(
        description=f"The association definition relating the two object kinds. {_ID}"
    )
    first_record_id: str = strawberry.field(
        description=f"The record on the association's first side. {_ID}"
    )
    second_record_id: str = strawberry.field(
        description=f"The record on the association's second side. {_ID}"
    )


@strawberry.type(description="A relation between two records through an association.")
class Relation:
    id: strawberry.ID = strawberry.field(description="HighLevel's id for the relation.")
    location_id: str = strawberry.field(description="The location it belongs to.")
    association_id: str = strawberry.field(description="The association it goes through.")
    first_record_id: str = strawberry.field(description="The first side's record.")
    second_record_id: str = strawberry.field(description="The second side's record.")
    first_object_key: str | None = strawberry.field(
        description="The first side's object key (contact, custom_objects.students, ...)."
    )
    second_object_key: str | None = strawberry.field(description="The second side's object key.")

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
