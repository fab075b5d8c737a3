"""The endpoints the emulators gained for issue 8, at the wire: HubSpot leads and labelled PUT,
HighLevel contacts' business and an opportunity's contact, Salesforce's duplicate rule."""

from __future__ import annotations

from tests.conftest import assert_spec_valid


async def test_hubspot_labelled_put_answers_201_with_the_labels(hs, hs_state):
    label = hs_state.add_label("contacts", "companies", "Billing contact")
    spec = [{"associationCategory": "USER_DEFINED", "associationTypeId": label.type_id}]
    reply = await hs.put("/crm/v4/objects/contacts/101/associations/companies/202", json=spec)
    assert reply.status == 201
    body = await reply.json()
    assert body == {
        "fromObjectTypeId": "0-1",
        "fromObjectId": "101",
        "toObjectTypeId": "0-2",
        "toObjectId": "202",
        "labels": ["Billing contact"],
    }
    assert hs_state.associated("contacts", "101", "companies")["202"] == [279, label.type_id]
    assert_spec_valid([hs_state.calls[-1]])  # skipped, and counted, without the specs
    wrong = [{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": label.type_id}]
    refused = await hs.put("/crm/v4/objects/contacts/101/associations/companies/202", json=wrong)
    assert (refused.status, (await refused.json())["category"]) == (400, "VALIDATION_ERROR")
    missing = await hs.put("/crm/v4/objects/contacts/999/associations/companies/202", json=spec)
    assert missing.status == 404


async def test_hubspot_leads_have_default_associations(hs, hs_state):
    hs_state.add_records("leads", "7001")
    reply = await hs.put("/crm/v4/objects/leads/7001/associations/default/contacts/101")
    assert reply.status == 200
    assert hs_state.associated("contacts", "101", "leads") == {"7001": [609]}


async def test_highlevel_contacts_business_and_opportunity_contact(ghl, ghl_state):
    ghl_state.add_record("loc1", "b1", "business")
    ghl_state.add_record("loc1", "o1", "opportunity")
    body = {"locationId": "loc1", "ids": ["c1", "k1", "nope"], "businessId": "b1"}
    reply = await ghl.post("/contacts/bulk/business", json=body)
    assert (reply.status, await reply.json()) == (200, {"success": True, "ids": ["c1"]})
    assert ghl_state.locations["loc1"].fields["c1"]["businessId"] == "b1"
    assert_spec_valid([ghl_state.calls[-1]])  # skipped, and counted, without the specs
    unknown = await ghl.post("/contacts/bulk/business", json={**body, "businessId": "zz"})
    assert unknown.status == 400
    invalid = await ghl.post("/contacts/bulk/business", json={"locationId": "loc1"})
    assert invalid.status == 422
    reply = await ghl.put("/opportunities/o1", json={"contactId": "c2"})
    assert reply.status == 200
    assert (await reply.json())["opportunity"]["contactId"] == "c2"
    assert_spec_valid([ghl_state.calls[-1]])  # skipped, and counted, without the specs
    assert (await ghl.put("/opportunities/o1", json={"contactId": "k1"})).status == 400
    assert (await ghl.put("/opportunities/zz", json={"contactId": "c1"})).status == 400


async def test_salesforce_refuses_a_second_account_contact_relation(sf, sf_state):
    row = {
        "attributes": {"type": "AccountContactRelation"},
        "AccountId": "001000000000001AAA",
        "ContactId": "003000000000001AAA",
    }
    role = {**row, "attributes": {"type": "OpportunityContactRole"}}
    role.pop("AccountId")
    role["OpportunityId"] = "006000000000001AAA"
    path = "/services/data/v62.0/composite/sobjects"
    first = await (await sf.post(path, json={"allOrNone": False, "records": [row, role]})).json()
    assert [r["success"] for r in first] == [True, True]
    again = await (await sf.post(path, json={"allOrNone": False, "records": [row, role]})).json()
    assert again[0]["success"] is False
    assert again[0]["errors"][0]["statusCode"] == "DUPLICATE_VALUE"
    assert again[1]["success"] is True  # OpportunityContactRole takes a second row
