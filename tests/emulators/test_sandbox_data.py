"""The sandbox seeds: documented ids, canonical Salesforce ids, demo tokens that work."""

from __future__ import annotations

import aiohttp

from emulators import hubspot, leadconnector, salesforce
from emulators import sandbox_data as demo
from emulators.salesforce import normalize_id


def test_seeded_ids_are_the_documented_constants() -> None:
    hs = demo.seed_hubspot(hubspot.HubSpotState())
    assert hs.records["contacts"] == set(demo.HUBSPOT_CONTACT_IDS)
    assert hs.records["companies"] == set(demo.HUBSPOT_COMPANY_IDS)
    assert hs.records["deals"] == set(demo.HUBSPOT_DEAL_IDS)
    assert hs.records["tickets"] == set(demo.HUBSPOT_TICKET_IDS)
    assert set(hs.associated("contacts", "101", "companies")) == {"201"}
    assert hs.associated("contacts", "102", "companies") == {}

    sf = demo.seed_salesforce(salesforce.SalesforceState())
    ids = [
        *demo.SF_ACCOUNT_IDS,
        *demo.SF_CONTACT_IDS,
        demo.SF_OPPORTUNITY_ID,
        demo.SF_LEAD_ID,
        demo.SF_OPPORTUNITY_CONTACT_ROLE_ID,
        demo.SF_ACCOUNT_CONTACT_RELATION_ID,
    ]
    assert all(normalize_id(i) == i and sf.find(i) is not None for i in ids)

    ghl = demo.seed_leadconnector(leadconnector.LeadConnectorState())
    location = ghl.locations[demo.GHL_LOCATION_ID]
    assert set(location.associations) == {
        demo.GHL_ASSOCIATION_ID,
        demo.GHL_CONTACT_BUSINESS_ASSOCIATION_ID,
        demo.GHL_OPPORTUNITY_BUSINESS_ASSOCIATION_ID,
    }
    assert set(location.records) == {
        *demo.GHL_CONTACT_IDS,
        *demo.GHL_CHILD_IDS,
        *demo.GHL_BUSINESS_IDS,
        *demo.GHL_OPPORTUNITY_IDS,
    }
    assert len(location.relations) == 1


async def test_demo_tokens_work_over_http() -> None:
    hs = await hubspot.serve(demo.seed_hubspot(hubspot.HubSpotState()))
    sf = await salesforce.serve(demo.seed_salesforce(salesforce.SalesforceState()))
    ghl = await leadconnector.serve(demo.seed_leadconnector(leadconnector.LeadConnectorState()))
    try:
        async with aiohttp.ClientSession() as session:
            hs_auth = {"Authorization": f"Bearer {demo.SANDBOX_HUBSPOT_TOKEN}"}
            async with session.put(
                f"{hs.url}/crm/v4/objects/contacts/102/associations/default/companies/202",
                headers=hs_auth,
            ) as reply:
                assert reply.status == 200
            sf_auth = {"Authorization": f"Bearer {demo.SANDBOX_SALESFORCE_TOKEN}"}
            soql = "SELECT Id FROM OpportunityContactRole WHERE OpportunityId = '{}'"
            async with session.get(
                f"{sf.url}/services/data/v62.0/query",
                params={"q": soql.format(demo.SF_OPPORTUNITY_ID)},
                headers=sf_auth,
            ) as reply:
                assert (await reply.json())["totalSize"] == 1
            ghl_headers = {
                "Authorization": f"Bearer {demo.SANDBOX_LEADCONNECTOR_TOKEN}",
                "Version": "2021-07-28",
            }
            async with session.post(
                f"{ghl.url}/associations/relations",
                json={
                    "locationId": demo.GHL_LOCATION_ID,
                    "associationId": demo.GHL_ASSOCIATION_ID,
                    "firstRecordId": demo.GHL_CHILD_IDS[1],
                    "secondRecordId": demo.GHL_CONTACT_IDS[1],
                },
                headers=ghl_headers,
            ) as reply:
                assert reply.status == 201
    finally:
        for emulator in (hs, sf, ghl):
            await emulator.close()
