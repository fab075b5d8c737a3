"""HighLevel (LeadConnector) relations."""

from __future__ import annotations

import strawberry

from providers import domain


@strawberry.input
class CreateRelationInput:
    location_id: str
    association_id: str
    first_record_id: str
    second_record_id: str


@strawberry.type(description="A relation between two records through an association.")
class Relation:
    id: strawberry.ID
    location_id: str
    association_id: str
    first_record_id: str
    second_record_id: str
    first_object_key: str | None
    second_object_key: str | None

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
