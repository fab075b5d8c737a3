"""v3 type names (and type ids, label ids) as the category and type id 2026-09 takes."""

from __future__ import annotations

import pytest

from providers.domain import AssociationSpec
from providers.hubspot.type_names import UnknownTypeName, dated_spec


@pytest.mark.parametrize(
    ("name", "from_type", "to_type", "spec"),
    [
        ("contact_to_company", "contacts", "companies", ("HUBSPOT_DEFINED", 279)),
        ("company_to_contact", "0-2", "contact", ("HUBSPOT_DEFINED", 280)),
        ("deal_to_company", "deals", "companies", ("HUBSPOT_DEFINED", 341)),
        ("lead_to_contact", "leads", "contacts", ("HUBSPOT_DEFINED", 608)),
        ("contact_to_company", "p_orders", "companies", ("HUBSPOT_DEFINED", 279)),  # custom
        ("1", "contacts", "companies", ("HUBSPOT_DEFINED", 1)),  # Primary
        ("1001", "contacts", "companies", ("USER_DEFINED", 1001)),
        ("contacts/companies/USER_DEFINED/1001", "contacts", "companies", ("USER_DEFINED", 1001)),
    ],
)
def test_names_ids_and_label_ids_translate(name, from_type, to_type, spec):
    assert dated_spec(name, from_type, to_type) == AssociationSpec(*spec)


@pytest.mark.parametrize(
    ("name", "from_type", "to_type"),
    [
        ("contact_to_robot", "contacts", "companies"),
        ("deal_to_contact", "contacts", "companies"),  # joins other object types
        ("contacts/companies/MADE_UP/1", "contacts", "companies"),
    ],
)
def test_a_name_without_a_translation_is_refused(name, from_type, to_type):
    with pytest.raises(UnknownTypeName):
        dated_spec(name, from_type, to_type)
