"""The unified-association -> Salesforce write plan (pure: no call is made to plan)."""

from __future__ import annotations

import pytest

from providers.domain import UnifiedAssociationRequest, UnifiedEntity
from providers.errors import InvalidRequest, Unsupported
from providers.salesforce.mapping import JunctionWrite, LookupWrite, plan

ACC = "001000000000001AAA"
ACC2 = "001000000000002AAA"
CON = "003000000000001AAA"
CON2 = "003000000000002AAA"
OPP = "006000000000001AAA"
E = UnifiedEntity


def req(entity, **assoc):
    return UnifiedAssociationRequest(
        entity_id={
            E.ACCOUNTS: ACC,
            E.OPPORTUNITIES: OPP,
            E.CONTACTS: CON,
            E.LEADS: "00Q000000000001AAA",
        }[entity],
        entity=entity,
        associations={E(k): tuple(v) for k, v in assoc.items()},
    )


def test_account_contacts_set_each_contacts_account_id_once():
    p = plan(req(E.ACCOUNTS, contacts=[CON, CON2, CON]))
    assert p.lookups == (
        LookupWrite("Contact", CON, "AccountId", ACC, E.CONTACTS, CON),
        LookupWrite("Contact", CON2, "AccountId", ACC, E.CONTACTS, CON2),
    )
    assert p.junctions == ()


def test_opportunity_account_sets_the_opportunitys_lookup():
    p = plan(req(E.OPPORTUNITIES, accounts=[ACC]))
    assert p.lookups == (LookupWrite("Opportunity", OPP, "AccountId", ACC, E.ACCOUNTS, ACC),)


def test_opportunity_contacts_are_junction_rows():
    p = plan(req(E.OPPORTUNITIES, contacts=[CON, CON2]))
    assert p.junctions == (
        JunctionWrite(OPP, CON, E.CONTACTS, CON),
        JunctionWrite(OPP, CON2, E.CONTACTS, CON2),
    )


def test_contact_opportunities_are_junction_rows_the_other_way():
    p = plan(req(E.CONTACTS, opportunities=[OPP]))
    assert p.junctions == (JunctionWrite(OPP, CON, E.OPPORTUNITIES, OPP),)


def test_one_lookup_cannot_hold_two_accounts():
    with pytest.raises(InvalidRequest, match="exactly one"):
        plan(req(E.OPPORTUNITIES, accounts=[ACC, ACC2]))


@pytest.mark.parametrize(
    ("entity", "assoc"),
    [
        (E.LEADS, {"accounts": [ACC]}),
        (E.ACCOUNTS, {"leads": ["00Q000000000001AAA"]}),
        (E.OPPORTUNITIES, {"opportunities": [OPP]}),
        (E.CONTACTS, {"contacts": [CON2]}),
    ],
)
def test_combinations_salesforce_cannot_express_are_refused(entity, assoc):
    with pytest.raises(Unsupported):
        plan(req(entity, **assoc))


@pytest.mark.parametrize(
    "bad", ["", "x", "001' OR Id != '", "0010000000000012AAAA", "001-00000000001"]
)
def test_ids_that_are_not_salesforce_ids_never_reach_soql(bad):
    with pytest.raises(InvalidRequest):
        plan(req(E.OPPORTUNITIES, contacts=[bad]))
