"""Imports on every CRM with batch creation: Salesforce and HighLevel through the same runner,
each in windows of its own calls (their creates are not idempotent: a window in flight at a
crash is reconciled first)."""

from __future__ import annotations

from emulators import sandbox_data as demo
from gql.app import IMPORTS, RUNNER
from gql.imports.model import ImportItem
from tests.harness import TOKENS
from tests.imports import ERRORS, START, finished, pages

ACME, GLOBEX = demo.SF_ACCOUNT_IDS
ADA, GRACE, LINUS = demo.SF_CONTACT_IDS
CONTACT_1, CONTACT_2 = demo.GHL_CONTACT_IDS
CHILD_1, CHILD_2 = demo.GHL_CHILD_IDS


def _inputs(*pairs: tuple[str, str, str]) -> list[dict[str, object]]:
    return [{"from": {"id": f}, "to": {"id": t}, "type": k} for f, t, k in pairs]


async def test_a_salesforce_import_sets_the_lookups(api, sf):
    integration = await api.create_integration("SALESFORCE", instance_url=sf.url)
    data = await api.data(
        START,
        {
            "id": integration,
            "input": {
                "fromObjectType": "contacts",
                "toObjectType": "accounts",
                "inputs": _inputs(
                    (GRACE, ACME, "default"),
                    (LINUS, GLOBEX, "default"),
                    ("003000000000099AAA", ACME, "default"),
                ),
            },
        },
    )
    job_id = data["startAssociationImport"]["id"]
    done = await finished(api, job_id)
    assert (done["status"], done["succeeded"], done["failed"]) == ("COMPLETE", 2, 1)
    assert sf.state.find(GRACE)[1]["AccountId"] == ACME
    assert sf.state.find(LINUS)[1]["AccountId"] == GLOBEX
    [error] = await pages(api, ERRORS, job_id)
    assert error["from"] == {"id": "003000000000099AAA"}


async def test_a_highlevel_window_in_flight_is_reconciled_through_its_reads(api, ghl):
    integration = await api.create_integration("LEADCONNECTOR", location_id=demo.GHL_LOCATION_ID)
    app = api.client.server.app
    kind = demo.GHL_ASSOCIATION_ID
    items = [
        ImportItem(0, CHILD_1, CONTACT_1, kind),  # the demo data has it: written before the crash
        ImportItem(1, CHILD_2, CONTACT_2, kind),
    ]
    job = await app[IMPORTS].create(
        "acme", integration, "custom_objects.children", "contact", items
    )
    await app[IMPORTS].mark_sent(job.id, [0, 1])  # as a crashed runner left them
    ghl.state.reset_calls()
    await app[RUNNER].submit(job.id)
    done = await finished(api, job.id)
    assert (done["status"], done["succeeded"], done["failed"]) == ("COMPLETE", 2, 0)
    creates = [c for c in ghl.state.calls if c.method == "POST" and c.path.endswith("/relations")]
    # Only the pair HighLevel did not hold was sent.
    assert [(c.body["firstRecordId"], c.body["secondRecordId"]) for c in creates] == [
        (CHILD_2, CONTACT_2)
    ]


async def _start(api, integration: str, from_type: str, to_type: str, inputs) -> str:
    variables = {
        "id": integration,
        "input": {"fromObjectType": from_type, "toObjectType": to_type, "inputs": inputs},
    }
    return str((await api.data(START, variables))["startAssociationImport"]["id"])


async def test_a_salesforce_import_goes_in_collections_of_200_one_a_window(api, sf):
    integration = await api.create_integration("SALESFORCE", instance_url=sf.url)
    contacts = [sf.state.add_record("Contact", LastName=f"c{n}") for n in range(450)]
    sf.state.reset_calls()
    job_id = await _start(
        api,
        integration,
        "accounts",
        "contacts",
        _inputs(*((ACME, c, "AccountContactRelation") for c in contacts)),
    )
    done = await finished(api, job_id)
    assert (done["status"], done["succeeded"], done["failed"]) == ("COMPLETE", 450, 0)
    inserts = [c for c in sf.state.calls if c.path.endswith("/composite/sobjects")]
    # Windows of one call of 200 (sObject Collections' maximum): 200, 200, 50; nothing else.
    assert [len(c.body["records"]) for c in inserts] == [200, 200, 50]
    assert len(sf.state.calls) == 3
    rows = sf.state.records["AccountContactRelation"].values()
    assert {r["ContactId"] for r in rows if r["AccountId"] == ACME} >= set(contacts)


async def test_a_highlevel_import_sends_one_relation_a_call_in_windows_of_100(api, ghl):
    ghl.state.burst_limit = 100_000  # the location's budget far above what is sent
    data = await api.data(
        """mutation($input: CreateCrmIntegrationInput!) { createCrmIntegration(input: $input) { id } }""",
        {
            "input": {
                "provider": "LEADCONNECTOR",
                "name": "import test",
                "credentials": {"accessToken": TOKENS["LEADCONNECTOR"]},
                "locationId": demo.GHL_LOCATION_ID,
                "rateLimits": {"requestsPerInterval": 100_000, "intervalSeconds": 1},
            }
        },
    )
    children = [f"import-child-{n}" for n in range(250)]
    for child in children:
        ghl.state.add_record(demo.GHL_LOCATION_ID, child, "custom_objects.children")
    ghl.state.reset_calls()
    job_id = await _start(
        api,
        data["createCrmIntegration"]["id"],
        "custom_objects.children",
        "contact",
        _inputs(*((child, CONTACT_1, demo.GHL_ASSOCIATION_ID) for child in children)),
    )
    done = await finished(api, job_id)
    assert (done["status"], done["succeeded"], done["failed"]) == ("COMPLETE", 250, 0)
    creates = ghl.state.count("POST", "/associations/relations")
    definitions = ghl.state.count("GET", "/associations/")
    # One call a relation; windows of 100 (100, 100, 50), each reading the location's
    # association definitions once.
    assert (creates, definitions) == (250, 3)
    assert len(ghl.state.calls) == 253
