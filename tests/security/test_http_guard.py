"""gql/http_guard.py: refusals become coded JSON errors; genuine bugs a JSON 500 with no trace."""

from __future__ import annotations

import gzip
import json
import logging
from collections.abc import AsyncIterator
from typing import Any

import pytest
import pytest_asyncio
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from gql import http_guard
from gql.app import build_app
from gql.errors import Code
from tests.harness import KEYS, make_settings

module_loop = pytest.mark.asyncio(loop_scope="module")

AUTH = {"Authorization": f"Bearer {KEYS['acme']}"}
QUERY = {"query": "{ crmIntegrations { id } }"}
MAX_BODY = 4096
MAX_OPERATIONS = 3


class Boom(Exception):
    pass


async def _boom(request: web.Request) -> web.Response:
    raise Boom("secret internal detail in /srv/app/thing.py")


async def _teapot(request: web.Request) -> web.Response:
    return web.Response(status=418, text="I'm a teapot")


async def _redirect(request: web.Request) -> web.Response:
    raise web.HTTPFound("/healthz")


async def _stream_error(request: web.Request) -> web.StreamResponse:
    response = web.StreamResponse(status=409)
    await response.prepare(request)
    await response.write(b"partial")
    return response


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def client(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[TestClient[Any, Any]]:
    settings = make_settings(
        str(tmp_path_factory.mktemp("guard") / "crmgraph.db"),
        max_body_bytes=MAX_BODY,
        max_operations_per_request=MAX_OPERATIONS,
    )
    app = build_app(settings)
    app.router.add_get("/boom", _boom)
    app.router.add_get("/teapot", _teapot)
    app.router.add_get("/redirect", _redirect)
    app.router.add_get("/stream-error", _stream_error)
    test_client: TestClient[Any, Any] = TestClient(TestServer(app))
    await test_client.start_server()
    yield test_client
    await test_client.close()


async def coded(response: Any, status: int, code: Code | str) -> dict[str, Any]:
    """The response is ``status`` with one JSON error of ``code``; answers that error."""
    text = await response.text()
    assert response.status == status, text
    assert response.content_type == "application/json", text
    body = json.loads(text)
    [error] = body["errors"]
    assert error["extensions"]["code"] == code, body
    assert error["message"].strip()
    return error  # type: ignore[no-any-return]


# --- what Strawberry and aiohttp answer as text -----------------------------------------------


@module_loop
async def test_malformed_json_is_400_bad_request(client):
    response = await client.post(
        "/graphql", data=b"{bad", headers={**AUTH, "Content-Type": "application/json"}
    )
    error = await coded(response, 400, Code.BAD_REQUEST)
    assert "not valid JSON" in error["message"]
    assert "line 1, column 2" in error["message"]


@module_loop
@pytest.mark.parametrize(
    "body",
    [b"", b"123", b"null", b'"query"', b"[1]", b"[null]", b'{"query": 5}', b'[{"query": 5}]'],
)
async def test_json_of_the_wrong_shape_is_400_not_500(client, body):
    # Strawberry raises AttributeError/TypeError on these: a 500, or a masked internal error.
    response = await client.post(
        "/graphql", data=body, headers={**AUTH, "Content-Type": "application/json"}
    )
    await coded(response, 400, Code.BAD_REQUEST)


@module_loop
@pytest.mark.parametrize(
    ("body", "needle"),
    [
        (b'\xff{"query": "x"}', "not UTF-8"),
        (b'{"a": ' + b"[" * 50_000 + b"]" * 50_000 + b"}", None),  # over the 4 KiB limit: 413
        (b'{"query": "{a}", "v": ' + b"1" * 4400 + b"}", "cannot be read"),
        (b'{"query": "{a}", "variables": ' + b"[" * 1500 + b"]" * 1500 + b"}", "too deeply"),
    ],
)
async def test_json_python_cannot_decode_is_400(client, body, needle):
    response = await client.post(
        "/graphql", data=body, headers={**AUTH, "Content-Type": "application/json"}
    )
    if len(body) > MAX_BODY:
        await coded(response, 413, Code.PAYLOAD_TOO_LARGE)
        return
    error = await coded(response, 400, Code.BAD_REQUEST)
    assert needle in error["message"]


@module_loop
async def test_a_body_over_client_max_size_is_413(client):
    response = await client.post(
        "/graphql", json={"query": "{ crmIntegrations { id } }" + " " * MAX_BODY}, headers=AUTH
    )
    error = await coded(response, 413, Code.PAYLOAD_TOO_LARGE)
    assert str(MAX_BODY) in error["message"]
    assert error["extensions"]["limit"] == MAX_BODY


@module_loop
async def test_a_compressed_body_over_the_limit_once_inflated_is_413(client):
    response = await client.post(
        "/graphql",
        data=gzip.compress(b" " * 100 * MAX_BODY),
        headers={**AUTH, "Content-Type": "application/json", "Content-Encoding": "gzip"},
    )
    await coded(response, 413, Code.PAYLOAD_TOO_LARGE)


@module_loop
async def test_a_body_aiohttp_cannot_decode_is_400(client):
    response = await client.post(
        "/graphql",
        data=b"not gzip",
        headers={
            **AUTH,
            "Content-Type": "application/json",
            "Content-Encoding": "gzip",
            "Connection": "close",
        },
    )
    error = await coded(response, 400, Code.BAD_REQUEST)
    assert "Content-Encoding" in error["message"]


@module_loop
@pytest.mark.parametrize("method", ["PUT", "PATCH", "DELETE", "OPTIONS"])
async def test_a_method_graphql_does_not_take_is_405_with_allow(client, method):
    response = await client.request(method, "/graphql", json=QUERY, headers=AUTH)
    await coded(response, 405, Code.METHOD_NOT_ALLOWED)
    assert response.headers["Allow"] == "GET, POST"


@module_loop
async def test_a_mutation_over_get_is_405_with_allow_post(client):
    response = await client.get(
        "/graphql", params={"query": 'mutation { deleteCrmIntegration(id: "x") }'}, headers=AUTH
    )
    error = await coded(response, 405, Code.METHOD_NOT_ALLOWED)
    assert response.headers["Allow"] == "POST"
    assert "mutations" in error["message"]


@module_loop
@pytest.mark.parametrize(
    ("params", "needle"),
    [
        ({"query": "{ crmIntegrations { id } }", "variables": "{bad"}, "not valid JSON"),
        ({"query": "{ crmIntegrations { id } }", "variables": "[1]"}, "JSON object"),
        ({"query": "{ crmIntegrations { id } }", "extensions": "5"}, "JSON object"),
        ({"query": "{ crmIntegrations { id } }", "variables": "[" * 1500}, "too deeply"),
        ({"query": ""}, "no GraphQL query"),
    ],
)
async def test_bad_get_parameters_are_400(client, params, needle):
    response = await client.get(
        "/graphql", params=params, headers={**AUTH, "Accept": "application/json"}
    )
    error = await coded(response, 400, Code.BAD_REQUEST)
    assert needle in error["message"]


@module_loop
@pytest.mark.parametrize(
    "content_type", ["text/plain", "application/x-www-form-urlencoded", "application/graphql"]
)
async def test_an_unsupported_content_type_is_415(client, content_type):
    response = await client.post(
        "/graphql",
        data=json.dumps(QUERY).encode(),
        headers={**AUTH, "Content-Type": content_type},
    )
    await coded(response, 415, Code.UNSUPPORTED_MEDIA_TYPE)


@module_loop
async def test_a_batch_over_the_cap_is_batch_too_large_with_the_limit(client):
    response = await client.post("/graphql", json=[QUERY] * (MAX_OPERATIONS + 1), headers=AUTH)
    error = await coded(response, 400, Code.BATCH_TOO_LARGE)
    assert error["extensions"]["limit"] == MAX_OPERATIONS


@module_loop
async def test_an_empty_batch_is_400(client):
    response = await client.post("/graphql", json=[], headers=AUTH)
    error = await coded(response, 400, Code.BAD_REQUEST)
    assert "empty" in error["message"]


@module_loop
@pytest.mark.parametrize(
    ("body", "needle"),
    [
        ({"query": "query A { crmIntegrations { id } }", "operationName": "B"}, '"B"'),
        ({"query": "fragment F on Query { crmIntegrations { id } }"}, "no operation"),
        ({"query": "{ __typename }", "operationName": "x" * 100}, "names no operation"),
    ],
)
async def test_an_unknown_operation_is_400(client, body, needle):
    response = await client.post("/graphql", json=body, headers=AUTH)
    error = await coded(response, 400, Code.BAD_REQUEST)
    assert needle in error["message"]
    assert len(error["message"]) < 400


@module_loop
async def test_an_unknown_path_is_a_json_404(client):
    response = await client.get("/nope")
    await coded(response, 404, Code.NOT_FOUND)


@module_loop
async def test_a_method_the_router_refuses_is_a_json_405_with_allow(client):
    response = await client.post("/healthz", json={})
    await coded(response, 405, Code.METHOD_NOT_ALLOWED)
    assert "GET" in response.headers["Allow"]


@module_loop
async def test_any_other_text_refusal_becomes_json_with_its_status(client):
    response = await client.get("/teapot")
    error = await coded(response, 418, Code.BAD_REQUEST)
    assert error["message"] == "I'm a teapot"


# --- what the guard leaves alone ------------------------------------------------------------


@module_loop
async def test_without_a_key_auth_answers_first_and_the_body_is_not_read(client):
    for body in (b"{bad", json.dumps([QUERY] * 100).encode(), b" " * (MAX_BODY + 1)):
        response = await client.post(
            "/graphql", data=body, headers={"Content-Type": "application/json"}
        )
        await coded(response, 401, "UNAUTHENTICATED")


@module_loop
async def test_good_requests_pass_through_untouched(client):
    response = await client.post("/graphql", json=QUERY, headers=AUTH)
    assert response.status == 200
    assert await response.json() == {"data": {"crmIntegrations": []}}
    response = await client.post("/graphql", json=[QUERY, QUERY], headers=AUTH)
    assert await response.json() == [{"data": {"crmIntegrations": []}}] * 2
    response = await client.get("/graphql", params=QUERY, headers=AUTH)
    assert await response.json() == {"data": {"crmIntegrations": []}}


@module_loop
async def test_graphql_errors_keep_their_200_and_codes(client):
    response = await client.post("/graphql", json={"query": "{ nope }"}, headers=AUTH)
    assert response.status == 200
    [error] = (await response.json())["errors"]
    assert error["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"


@module_loop
async def test_the_explorer_page_and_health_check_pass_through(client):
    page = await client.get("/graphql", headers={"Accept": "text/html"})
    assert page.status == 200
    assert page.content_type == "text/html"
    health = await client.get("/healthz")
    assert await health.json() == {"status": "ok"}


@module_loop
async def test_redirects_pass_through(client):
    response = await client.get("/redirect", allow_redirects=False)
    assert response.status == 302


@module_loop
async def test_a_stream_already_sent_is_left_alone(client):
    response = await client.get("/stream-error")
    assert response.status == 409
    assert await response.read() == b"partial"


# --- genuine bugs ---------------------------------------------------------------------------


@module_loop
async def test_an_unexpected_exception_is_a_json_500_without_trace_and_is_logged(client, caplog):
    with caplog.at_level(logging.ERROR, logger=http_guard.__name__):
        response = await client.get("/boom")
    error = await coded(response, 500, Code.INTERNAL_SERVER_ERROR)
    assert error["message"] == "Unexpected error."
    text = await response.text()
    for leak in ("Boom", "secret", "thing.py", "Traceback"):
        assert leak not in text
    [record] = [r for r in caplog.records if r.name == http_guard.__name__]
    assert record.exc_info is not None
    assert isinstance(record.exc_info[1], Boom)
    assert "GET /boom" in record.getMessage()


# --- the guard as a unit ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "reason", "expected_status", "code"),
    [
        (400, "Too many operations", 400, Code.BATCH_TOO_LARGE),
        (400, "Unsupported content type", 415, Code.UNSUPPORTED_MEDIA_TYPE),
        (400, "mutations are not allowed when using GET", 405, Code.METHOD_NOT_ALLOWED),
        (405, "GraphQL only supports GET and POST requests.", 405, Code.METHOD_NOT_ALLOWED),
        (400, "Can't get GraphQL operation type", 400, Code.BAD_REQUEST),
        (400, 'Unknown operation named "X".', 400, Code.BAD_REQUEST),
        (400, "No GraphQL query found in the request", 400, Code.BAD_REQUEST),
        (400, "Unable to parse request body as JSON", 400, Code.BAD_REQUEST),
        (400, "Batching is not enabled", 400, Code.BAD_REQUEST),
        (404, "Not Found", 404, Code.NOT_FOUND),
        (413, "too big", 413, Code.PAYLOAD_TOO_LARGE),
        (429, "slow down", 429, Code.RATE_LIMITED),
        (451, "", 451, Code.BAD_REQUEST),
    ],
)
def test_strawberry_reasons_map_to_a_status_and_code(status, reason, expected_status, code):
    refusal = http_guard._from_reason(status, reason)
    assert (refusal.status, refusal.code) == (expected_status, code)
    assert refusal.message


def test_an_echoed_reason_is_shortened():
    refusal = http_guard._from_reason(400, 'Unknown operation named "' + "x" * 10_000 + '".')
    assert len(refusal.message) < 400
