"""Salesforce emulator: sObject Collections, SOQL subset, limits, auth and faults."""

from __future__ import annotations

from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from emulators import FaultKind
from emulators.salesforce import SalesforceState, normalize_id, to18

Client = TestClient[Any, Any]
BASE = "/services/data/v62.0"
COLLECTIONS = f"{BASE}/composite/sobjects"
ACME, GLOBEX = "001000000000001AAA", "001000000000002AAA"
ADA, GRACE = "003000000000001AAA", "003000000000002AAA"
OPPORTUNITY = "006000000000001AAA"


def contact(record_id: str, **fields: Any) -> dict[str, Any]:
    return {"attributes": {"type": "Contact"}, "id": record_id, **fields}


def role(**fields: Any) -> dict[str, Any]:
    return {"attributes": {"type": "OpportunityContactRole"}, **fields}


async def rows(client: Client, soql: str) -> list[dict[str, Any]]:
    reply = await client.get(f"{BASE}/query", params={"q": soql})
    assert reply.status == 200, await reply.text()
    records: list[dict[str, Any]] = (await reply.json())["records"]
    return records


def test_ids() -> None:
    assert to18("001000000000001") == ACME
    assert to18("00Q000000000001") == "00Q000000000001EAA"
    assert normalize_id("001000000000001") == ACME
    assert normalize_id("001000000000001aaa") == ACME
    assert normalize_id("001000000000001ZZZ") is None
    assert normalize_id("not-an-id") is None
    generated = SalesforceState().new_id("OpportunityContactRole")
    assert generated.startswith("00K")
    assert len(generated) == 18
    assert normalize_id(generated) == generated


# -- auth and limits --------------------------------------------------------------------------
async def test_invalid_session_is_401(sf: Client) -> None:
    reply = await sf.get(f"{BASE}/limits", headers={"Authorization": "Bearer expired"})
    assert reply.status == 401
    assert await reply.json() == [
        {"message": "Session expired or invalid", "errorCode": "INVALID_SESSION_ID"}
    ]


async def test_limit_info_header_and_daily_allocation(
    sf: Client, sf_state: SalesforceState
) -> None:
    sf_state.daily_limit = 2
    first = await sf.get(f"{BASE}/limits")
    assert first.headers["Sforce-Limit-Info"] == "api-usage=1/2"
    assert await first.json() == {"DailyApiRequests": {"Max": 2, "Remaining": 1}}
    assert (await sf.get(f"{BASE}/limits")).headers["Sforce-Limit-Info"] == "api-usage=2/2"
    spent = await sf.get(f"{BASE}/limits")
    assert spent.status == 403
    assert await spent.json() == [
        {"message": "TotalRequests Limit exceeded.", "errorCode": "REQUEST_LIMIT_EXCEEDED"}
    ]
    assert "Retry-After" not in spent.headers
    assert spent.headers["Sforce-Limit-Info"] == "api-usage=2/2"


async def test_unknown_path_and_old_version(sf: Client) -> None:
    missing = await sf.get(f"{BASE}/nope")
    assert missing.status == 404
    assert (await missing.json())[0]["errorCode"] == "NOT_FOUND"
    old = await sf.patch("/services/data/v41.0/composite/sobjects", json={"records": []})
    assert old.status == 404


# -- PATCH composite/sobjects -----------------------------------------------------------------
async def test_update_save_results_in_input_order(sf: Client, sf_state: SalesforceState) -> None:
    sf_state.delete(GRACE)
    payload = {
        "allOrNone": False,
        "records": [
            contact(ADA, AccountId=ACME),
            contact("003000000000009AAA", AccountId=ACME),
            contact(GRACE, AccountId=ACME),
            contact(ACME, AccountId=ACME),
            contact(ADA[:15], AccountId="001000000000009AAA"),
            contact(ADA, AccountId=OPPORTUNITY),
            {"attributes": {"type": "Contact"}, "LastName": "No id"},
            {"attributes": {"type": "Opportunity"}, "id": OPPORTUNITY, "AccountId": GLOBEX[:15]},
        ],
    }
    reply = await sf.patch(COLLECTIONS, json=payload)
    assert reply.status == 200
    results = await reply.json()
    assert results[0] == {"id": ADA, "success": True, "errors": []}
    assert results[1]["errors"] == [
        {
            "statusCode": "INVALID_CROSS_REFERENCE_KEY",
            "message": "invalid cross reference id",
            "fields": [],
        }
    ]
    assert results[2]["errors"][0]["statusCode"] == "ENTITY_IS_DELETED"
    assert "id" not in results[3]
    assert results[3]["errors"][0] == {
        "statusCode": "MALFORMED_ID",
        "message": f"Contact ID: id value of incorrect type: {ACME}",
        "fields": ["Id"],
    }
    assert results[4]["id"] == ADA
    assert results[4]["errors"][0]["statusCode"] == "INVALID_CROSS_REFERENCE_KEY"
    assert results[4]["errors"][0]["fields"] == ["AccountId"]
    assert results[5]["errors"][0] == {
        "statusCode": "FIELD_INTEGRITY_EXCEPTION",
        "message": f"Account ID: id value of incorrect type: {OPPORTUNITY}",
        "fields": ["AccountId"],
    }
    assert results[6]["errors"][0]["statusCode"] == "MISSING_ARGUMENT"
    assert results[7] == {"id": OPPORTUNITY, "success": True, "errors": []}
    assert sf_state.records["Contact"][ADA]["AccountId"] == ACME
    assert sf_state.records["Opportunity"][OPPORTUNITY]["AccountId"] == GLOBEX


async def test_all_or_none_rolls_everything_back(sf: Client, sf_state: SalesforceState) -> None:
    payload = {
        "allOrNone": True,
        "records": [contact(ADA, AccountId=ACME), contact(GRACE, AccountId="001000000000009AAA")],
    }
    results = await (await sf.patch(COLLECTIONS, json=payload)).json()
    assert results[0] == {
        "id": ADA,
        "success": False,
        "errors": [
            {
                "statusCode": "ALL_OR_NONE_OPERATION_ROLLED_BACK",
                "message": "Record rolled back because not all records were valid and the "
                "request was using AllOrNone header",
                "fields": [],
            }
        ],
    }
    assert results[1]["errors"][0]["statusCode"] == "INVALID_CROSS_REFERENCE_KEY"
    assert sf_state.records["Contact"][ADA]["AccountId"] is None


async def test_collection_request_errors(sf: Client) -> None:
    too_many = {"records": [contact(ADA, Title="x")] * 201}
    reply = await sf.patch(COLLECTIONS, json=too_many)
    assert reply.status == 400
    assert await reply.json() == [
        {
            "message": "record limit reached. cannot submit more than 200 records into this call",
            "errorCode": "EXCEEDED_ID_LIMIT",
        }
    ]
    assert (await sf.patch(COLLECTIONS, json={"records": [contact(ADA)] * 200})).status == 200
    no_type = await sf.patch(COLLECTIONS, json={"records": [{"id": ADA}]})
    assert (await no_type.json())[0]["errorCode"] == "INVALID_TYPE"
    bad_type = await sf.post(COLLECTIONS, json={"records": [{"attributes": {"type": "Robot"}}]})
    assert (bad_type.status, (await bad_type.json())[0]["errorCode"]) == (400, "INVALID_TYPE")
    not_json = await sf.patch(COLLECTIONS, data=b"{", headers={"Content-Type": "application/json"})
    assert (await not_json.json())[0]["errorCode"] == "JSON_PARSER_ERROR"


async def test_junction_keys_are_not_updateable(sf: Client, sf_state: SalesforceState) -> None:
    role_id = sf_state.add_record(
        "OpportunityContactRole", OpportunityId=OPPORTUNITY, ContactId=ADA
    )
    payload = {
        "records": [
            {
                "attributes": {"type": "OpportunityContactRole"},
                "id": role_id,
                "OpportunityId": OPPORTUNITY,
                "Role": "Buyer",
            }
        ]
    }
    result = (await (await sf.patch(COLLECTIONS, json=payload)).json())[0]
    assert result["errors"][0]["statusCode"] == "INVALID_FIELD_FOR_INSERT_UPDATE"
    assert result["errors"][0]["fields"] == ["OpportunityId"]


# -- POST composite/sobjects ------------------------------------------------------------------
async def test_create_roles_allows_duplicates(sf: Client, sf_state: SalesforceState) -> None:
    record = role(OpportunityId=OPPORTUNITY, ContactId=ADA, Role="Decision Maker")
    reply = await sf.post(COLLECTIONS, json={"allOrNone": False, "records": [record, record]})
    assert reply.status == 200
    results = await reply.json()
    assert [r["success"] for r in results] == [True, True]
    first, second = (r["id"] for r in results)
    assert first != second
    assert first.startswith("00K")
    assert second.startswith("00K")
    stored = sf_state.records["OpportunityContactRole"][first]
    assert stored == {
        "OpportunityId": OPPORTUNITY,
        "ContactId": ADA,
        "Role": "Decision Maker",
        "Id": first,
    }
    assert len(sf_state.records["OpportunityContactRole"]) == 2


async def test_create_validation(sf: Client, sf_state: SalesforceState) -> None:
    records = [
        role(OpportunityId="006000000000009AAA", ContactId=ADA),
        role(OpportunityId=OPPORTUNITY),
        role(OpportunityId=OPPORTUNITY, ContactId=ADA, Id="00K000000000001EAA"),
        {"attributes": {"type": "AccountContactRelation"}, "AccountId": GLOBEX, "ContactId": ADA},
    ]
    results = await (await sf.post(COLLECTIONS, json={"records": records})).json()
    assert results[0] == {
        "success": False,
        "errors": [
            {
                "statusCode": "INVALID_CROSS_REFERENCE_KEY",
                "message": "invalid cross reference id",
                "fields": ["OpportunityId"],
            }
        ],
    }
    assert results[1]["errors"] == [
        {
            "statusCode": "REQUIRED_FIELD_MISSING",
            "message": "Required fields are missing: [ContactId]",
            "fields": ["ContactId"],
        }
    ]
    assert results[2]["errors"][0]["statusCode"] == "INVALID_FIELD"
    assert results[3]["success"] is True
    assert results[3]["id"].startswith("07k")
    assert len(sf_state.records["OpportunityContactRole"]) == 0


async def test_create_all_or_none(sf: Client, sf_state: SalesforceState) -> None:
    records = [role(OpportunityId=OPPORTUNITY, ContactId=ADA), role(OpportunityId=OPPORTUNITY)]
    results = await (
        await sf.post(COLLECTIONS, json={"allOrNone": True, "records": records})
    ).json()
    assert results[0]["success"] is False
    assert "id" not in results[0]
    assert results[0]["errors"][0]["statusCode"] == "ALL_OR_NONE_OPERATION_ROLLED_BACK"
    assert results[1]["errors"][0]["statusCode"] == "REQUIRED_FIELD_MISSING"
    assert not sf_state.records["OpportunityContactRole"]


# -- SOQL -------------------------------------------------------------------------------------
async def test_query_subset(sf: Client, sf_state: SalesforceState) -> None:
    sf_state.add_record(
        "OpportunityContactRole",
        "00K000000000001EAA",
        OpportunityId=OPPORTUNITY,
        ContactId=ADA,
        IsPrimary=True,
    )
    sf_state.add_record(
        "OpportunityContactRole",
        "00K000000000002EAA",
        OpportunityId=OPPORTUNITY,
        ContactId=GRACE,
        IsPrimary=False,
    )
    found = await rows(
        sf,
        "SELECT Id, ContactId, isprimary FROM opportunitycontactrole "
        f"WHERE OpportunityId = '{OPPORTUNITY[:15]}' AND ContactId IN ('{ADA}', '{GRACE}') "
        "AND IsPrimary = true",
    )
    assert found == [
        {
            "attributes": {
                "type": "OpportunityContactRole",
                "url": f"{BASE}/sobjects/OpportunityContactRole/00K000000000001EAA",
            },
            "Id": "00K000000000001EAA",
            "ContactId": ADA,
            "IsPrimary": True,
        }
    ]
    names = await rows(sf, "SELECT LastName FROM Contact WHERE LastName != 'HOPPER' LIMIT 5")
    assert [r["LastName"] for r in names] == ["Lovelace"]  # string comparisons ignore case
    ordered = await rows(sf, "select Name from Account order by Name desc limit 1")
    assert [r["Name"] for r in ordered] == ["Globex"]
    escaped = await rows(sf, r"SELECT Id FROM Account WHERE Name IN ('O\'Brien', 'Acme')")
    assert [r["Id"] for r in escaped] == [ACME]
    none = await rows(sf, f"SELECT Id, Title FROM Contact WHERE AccountId = null AND Id = '{ADA}'")
    assert none == [
        {
            "attributes": {"type": "Contact", "url": f"{BASE}/sobjects/Contact/{ADA}"},
            "Id": ADA,
            "Title": None,
        }
    ]
    reply = await sf.get(f"{BASE}/query/", params={"q": "SELECT Id FROM Account"})
    body = await reply.json()
    assert (body["totalSize"], body["done"]) == (2, True)


@pytest.mark.parametrize(
    ("soql", "code"),
    [
        ("SELECT Id FORM Account", "MALFORMED_QUERY"),
        ("SELECT Id FROM Account WHERE Name LIKE 'A%'", "MALFORMED_QUERY"),
        ("SELECT Id FROM Account LIMIT x", "MALFORMED_QUERY"),
        ("SELECT Id FROM Account WHERE", "MALFORMED_QUERY"),
        ("SELECT Id FROM Account extra", "MALFORMED_QUERY"),
        ("SELECT Id FROM Robot", "INVALID_TYPE"),
        ("", "MALFORMED_QUERY"),
    ],
)
async def test_query_errors(sf: Client, soql: str, code: str) -> None:
    reply = await sf.get(f"{BASE}/query", params={"q": soql})
    assert reply.status == 400
    assert (await reply.json())[0]["errorCode"] == code


async def test_query_pagination(sf: Client, sf_state: SalesforceState) -> None:
    sf_state.query_batch_size = 2
    for index in range(3):
        sf_state.add_record("Lead", LastName=f"L{index}", Company="c")
    first = await (await sf.get(f"{BASE}/query", params={"q": "SELECT Id FROM Lead"})).json()
    assert (first["totalSize"], first["done"], len(first["records"])) == (3, False, 2)
    assert first["nextRecordsUrl"].startswith(f"{BASE}/query/01g")
    second = await (await sf.get(first["nextRecordsUrl"])).json()
    assert (second["totalSize"], second["done"], len(second["records"])) == (3, True, 1)
    assert "nextRecordsUrl" not in second
    gone = await sf.get(first["nextRecordsUrl"])
    assert gone.status == 400


# -- faults -----------------------------------------------------------------------------------
async def test_faults_use_salesforce_error_bodies(sf: Client, sf_state: SalesforceState) -> None:
    sf_state.faults.inject(FaultKind.SERVER_ERROR, status=503, times=1)
    sf_state.faults.inject(FaultKind.RATE_LIMIT, retry_after=2, times=1)
    unavailable = await sf.patch(COLLECTIONS, json={"records": [contact(ADA, AccountId=ACME)]})
    assert unavailable.status == 503
    assert (await unavailable.json())[0]["errorCode"] == "SERVER_UNAVAILABLE"
    assert "Sforce-Limit-Info" in unavailable.headers
    limited = await sf.patch(COLLECTIONS, json={"records": [contact(ADA, AccountId=ACME)]})
    assert (limited.status, limited.headers["Retry-After"]) == (429, "2")
    assert sf_state.records["Contact"][ADA]["AccountId"] is None
