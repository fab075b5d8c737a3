"""Association imports end to end: crmgraph over HTTP, HubSpot's emulator on loopback."""

from __future__ import annotations

import asyncio

from gql.app import RUNNER
from tests.e2e.test_observability import scrape, value
from tests.harness import Api, make_settings, serve
from tests.imports import (
    ERRORS,
    JOB,
    RESULTS,
    START,
    WINDOW,
    batch_creates,
    csv_of,
    fast_hubspot,
    finished,
    multipart,
    pages,
    upload,
)

CONTACTS = [str(i) for i in range(1, 401)]
COMPANIES = [str(i) for i in range(1001, 1401)]


def _stored(hubspot) -> set[tuple[str, str]]:
    return {
        (r.from_id, r.to_id)
        for r in hubspot.state.associations
        if (r.from_type, r.to_type) == ("contacts", "companies")
    }


async def test_a_100000_row_csv_import_completes_with_every_pair_stored_once(api, hubspot):
    # An account whose limit is far above what the import sends (the limiter follows the
    # emulator's rate-limit headers).
    hubspot.state.burst_limit, hubspot.state.interval_ms = 100_000, 1000
    integration = await fast_hubspot(api)
    pairs = [(c, co) for c in CONTACTS[:250] for co in COMPANIES]
    assert len(pairs) == 100_000
    body = await upload(api, integration, csv_of(pairs))
    job = body["data"]["startAssociationImport"]
    assert job["total"] == 100_000
    assert job["status"] in ("PENDING", "PROCESSING")

    done = await finished(api, job["id"])
    assert done["status"] == "COMPLETE"
    assert (done["processed"], done["succeeded"], done["failed"]) == (100_000, 100_000, 0)
    assert done["completedAt"] >= done["startedAt"]
    assert _stored(hubspot) == set(pairs)
    creates = [c for c in hubspot.state.calls if c.path.endswith("/batch/create")]
    # Calls of HubSpot's documented 2,000 on 2026-09 (4 a window), each pair sent exactly once.
    assert len(creates) == batch_creates(100_000) == 50
    assert {len(c.body["inputs"]) for c in creates} == {2_000}
    sent = [(i["from"]["id"], i["to"]["id"]) for c in creates for i in c.body["inputs"]]
    assert sorted(sent) == sorted(pairs)
    # The spec check at teardown reads every recorded call: a sample is enough here.
    del hubspot.state.calls[3:]


async def test_bad_rows_and_refused_inputs_fail_alone_with_their_lines(api, hubspot):
    integration = await fast_hubspot(api)
    data = (
        b"from_id,to_id,type\n"
        b"1,1001,contact_to_company\n"  # line 2
        b"2,1002\n"  # line 3: a cell short
        b"abc,1003,contact_to_company\n"  # line 4: not a HubSpot id
        b"\n"  # blank: no input
        b"3,1003,\n"  # line 6: no type, the import's own
        b"999999,1004,contact_to_company\n"  # line 7: HubSpot has no such contact
        b'"4,1004,contact_to_company\n'  # line 8: an unterminated quote
    )
    body = await upload(api, integration, data)
    job = body["data"]["startAssociationImport"]
    done = await finished(api, job["id"])
    assert done["status"] == "COMPLETE"
    assert (done["total"], done["succeeded"], done["failed"]) == (6, 2, 4)
    # crmgraph_import_items_total: every outcome once, refused rows included.
    samples = await scrape(api)
    assert value(samples, "crmgraph_import_items_total", status="succeeded") == 2
    assert value(samples, "crmgraph_import_items_total", status="failed") == 4
    errors = await pages(api, ERRORS, job["id"])
    by_line = {e["line"]: e for e in errors}
    assert set(by_line) == {3, 4, 7, 8}
    assert by_line[3]["code"] == "BAD_ROW"
    assert "2 cells" in by_line[3]["message"]
    assert by_line[4]["code"] == "BAD_ROW"
    assert "HubSpot record ids" in by_line[4]["message"]
    assert by_line[7]["from"] == {"id": "999999"}
    assert by_line[7]["code"] == "OBJECT_NOT_FOUND"  # HubSpot's own
    assert by_line[8]["code"] == "BAD_ROW"
    results = await pages(api, RESULTS, job["id"])
    assert [(r["line"], r["from"]["id"], r["type"]) for r in results] == [
        (2, "1", "contact_to_company"),
        (6, "3", "contact_to_company"),
    ]
    assert _stored(hubspot) == {("1", "1001"), ("3", "1003")}


async def test_inputs_as_batch_create_takes_them(api, hubspot):
    integration = await fast_hubspot(api)
    inputs = [
        {"from": {"id": "1"}, "to": {"id": "1001"}, "type": "contact_to_company"},
        {"from": {"id": "x"}, "to": {"id": "1002"}, "type": "contact_to_company"},
    ]
    data = await api.data(
        START,
        {
            "id": integration,
            "input": {"fromObjectType": "contacts", "toObjectType": "companies", "inputs": inputs},
        },
    )
    job_id = data["startAssociationImport"]["id"]
    done = await finished(api, job_id)
    assert (done["status"], done["succeeded"], done["failed"]) == ("COMPLETE", 1, 1)
    [error] = await pages(api, ERRORS, job_id)
    assert (error["index"], error["line"], error["code"]) == (1, None, "BAD_USER_INPUT")
    assert "inputs[1]" in error["message"]


async def test_cancel_stops_between_windows(api, hubspot):
    integration = await fast_hubspot(api)
    # The emulator holds every batch create until released: the job cannot finish first.
    hubspot.state.faults.inject("timeout", path="/batch/create", delay=30, apply_before_fault=True)
    pairs = [(c, co) for c in CONTACTS[:25] for co in COMPANIES]  # more than one window
    assert len(pairs) > WINDOW
    job = (await upload(api, integration, csv_of(pairs)))["data"]["startAssociationImport"]
    canceled = await api.data(
        "mutation($id: ID!) { cancelAssociationImport(id: $id) { id cancelRequested } }",
        {"id": job["id"]},
    )
    assert canceled["cancelAssociationImport"] == {"id": job["id"], "cancelRequested": True}
    hubspot.state.faults.clear()
    hubspot.state.release_held()
    done = await finished(api, job["id"])
    assert done["status"] == "CANCELED"
    assert done["processed"] < done["total"] == 10_000
    # What was sent stays accounted for; nothing after the cancel was sent.
    assert done["succeeded"] + done["failed"] == done["processed"]
    assert hubspot.state.count("POST", "/batch/create") <= WINDOW // 2_000
    again = await api.data(JOB, {"id": job["id"]})
    assert again["associationImport"]["status"] == "CANCELED"


async def test_bad_requests_are_refused_before_a_job_exists(api, hubspot, sf):
    integration = await fast_hubspot(api)
    both = {
        "fromObjectType": "contacts",
        "toObjectType": "companies",
        "inputs": [],
        "file": None,
    }
    error = await api.error(START, {"id": integration, "input": {**both, "inputs": None}})
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    error = await api.error(START, {"id": integration, "input": both})
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    salesforce = await api.create_integration("SALESFORCE", instance_url=sf.url)
    one = [{"from": {"id": "1"}, "to": {"id": "2"}, "type": "t"}]
    error = await api.error(START, {"id": salesforce, "input": {**both, "inputs": one}})
    # Checked by the integration's own provider rules: Salesforce has no "companies".
    assert error["extensions"]["code"] == "BAD_USER_INPUT", error
    assert error["extensions"]["field"] == "toObjectType"
    body = await upload(api, integration, b"a,b\n1,2\n")
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert hubspot.state.count() == 0
    assert (await api.data(JOB, {"id": "00000000-0000-4000-8000-00000000dead"})) == {
        "associationImport": None
    }


async def test_uploads_have_their_own_limit_and_need_a_length(tmp_path, hubspot):
    settings = make_settings(
        str(tmp_path / "crmgraph.db"),
        hubspot_base_url=hubspot.url,
        max_body_bytes=4096,
        max_upload_bytes=65536,
    )
    client = await serve(settings)
    try:
        api = Api(client)
        integration = await fast_hubspot(api)
        variables = {
            "id": integration,
            "input": {"fromObjectType": "contacts", "toObjectType": "companies", "file": None},
        }
        auth = {"Authorization": f"Bearer {api.key}"}
        big = csv_of([("1", "1001")] * 10_000)  # over 64 KiB
        response = await client.post(
            "/graphql", data=multipart(START, variables, big), headers=auth
        )
        assert response.status == 413
        assert (await response.json())["errors"][0]["extensions"]["code"] == "PAYLOAD_TOO_LARGE"

        async def chunks():
            yield b"--x\r\n"

        response = await client.post(
            "/graphql",
            data=chunks(),
            headers={**auth, "Content-Type": "multipart/form-data; boundary=x"},
        )
        assert response.status == 411
        assert (await response.json())["errors"][0]["extensions"]["code"] == "BAD_REQUEST"
        # Over the 4 KiB body limit, under the upload limit: accepted.
        larger = csv_of([("1", "1001")] * 2000)
        assert 4096 < len(larger) < 65536
        body = await upload(api, integration, larger)
        assert body["data"]["startAssociationImport"]["total"] == 2000
    finally:
        await client.close()


async def test_an_import_waits_for_its_rate_budget_instead_of_failing_items(settings, hubspot):
    # 10 calls a second, enforced by the emulator: 30 calls (100 inputs each, forced) need
    # waits well past the 1 s a request would wait (max_retry_wait_seconds in the tests); the
    # import waits them out.
    hubspot.state.burst_limit, hubspot.state.interval_ms = 10, 1000
    hubspot.state.rate_limit_enabled = True
    forced = {"hubspot_v3_batch_limit": 100, "hubspot_v4_batch_limit": 100}
    client = await serve(settings.model_copy(update=forced))
    try:
        api = Api(client)
        integration = await api.create_integration("HUBSPOT")
        pairs = [(str(c), str(co)) for c in range(1, 31) for co in range(1001, 1101)]
        job = (await upload(api, integration, csv_of(pairs)))["data"]["startAssociationImport"]
        done = await finished(api, job["id"])
    finally:
        await client.close()
    assert (done["status"], done["succeeded"], done["failed"]) == ("COMPLETE", 3000, 0)
    assert hubspot.state.count("POST", "/batch/create") == 30


async def test_a_job_the_queue_refused_at_first_is_run_by_the_next_recheck(settings, hubspot):
    """The job is stored before it is queued: should the queue refuse it (its database away
    for a moment), the answer still holds, and the recheck of unfinished jobs queues it."""
    client = await serve(settings.model_copy(update={"import_lease_seconds": 1.0}))
    try:
        queue = client.server.app[RUNNER]._queue
        real, refused = queue.submit, []

        async def refuse_once(job_id: str) -> None:
            if not refused:
                refused.append(job_id)
                raise ConnectionError("the queue's database is away")
            await real(job_id)

        queue.submit = refuse_once
        api = Api(client)
        integration = await fast_hubspot(api)
        pairs = [(str(c), "1001") for c in range(1, 11)]
        job = (await upload(api, integration, csv_of(pairs)))["data"]["startAssociationImport"]
        assert job["status"] == "PENDING"
        done = await asyncio.wait_for(finished(api, job["id"]), 60)
    finally:
        await client.close()
    assert refused == [job["id"]]
    assert (done["status"], done["succeeded"]) == ("COMPLETE", 10)
