"""Security settings: introspection and GraphiQL switches, body limit, redirects, secrets."""

from __future__ import annotations

from aiohttp import web
from aiohttp.test_utils import TestServer

from tests.harness import KEYS, Api, make_settings, serve

INTROSPECT = "{ __schema { queryType { name } } }"


async def test_introspection_and_graphiql_can_be_turned_off(tmp_path):
    client = await serve(make_settings(str(tmp_path / "db"), introspection=False, graphiql=False))
    try:
        error = await Api(client).error(INTROSPECT)
        assert error["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
        page = await client.get("/graphql", headers={"Accept": "text/html"})
        assert page.status in (401, 404)
        assert "graphiql" not in (await page.text()).lower()
    finally:
        await client.close()


async def test_introspection_and_graphiql_are_on_by_default(api):
    assert (await api.data(INTROSPECT))["__schema"]["queryType"]["name"] == "Query"
    page = await api.client.get("/graphql", headers={"Accept": "text/html"})
    assert page.status == 200


async def test_request_bodies_have_a_size_limit(tmp_path):
    client = await serve(make_settings(str(tmp_path / "db"), max_body_bytes=4096))
    try:
        big = "{ crmIntegrations { id } }" + " " * 10_000
        response = await client.post(
            "/graphql", json={"query": big}, headers={"Authorization": f"Bearer {KEYS['acme']}"}
        )
        assert response.status == 413
    finally:
        await client.close()


async def test_a_redirect_from_upstream_is_not_followed(tmp_path):
    """An instance that redirects (say, to a metadata address) gets no second request."""
    followed: list[str] = []

    async def redirect(request: web.Request) -> web.Response:
        raise web.HTTPFound("http://169.254.169.254/latest/meta-data/")

    async def metadata(request: web.Request) -> web.Response:
        followed.append(request.path)
        return web.json_response([])

    app = web.Application()
    app.router.add_route("*", "/services/{tail:.*}", redirect)
    app.router.add_route("*", "/latest/{tail:.*}", metadata)
    upstream = TestServer(app)
    await upstream.start_server()
    client = await serve(make_settings(str(tmp_path / "db")))
    try:
        api = Api(client)
        integration = await api.create_integration(
            "SALESFORCE", instance_url=str(upstream.make_url("")).rstrip("/")
        )
        error = await api.error(
            """mutation($id: ID!) { createAssociation(integrationId: $id, input: {
                 entityId: "001000000000001AAA", entity: ACCOUNTS,
                 associations: {contacts: [{id: "003000000000001AAA"}]}}) { entityId } }""",
            {"id": integration},
        )
        assert error["extensions"]["code"] == "UPSTREAM_ERROR"
        assert followed == []
    finally:
        await client.close()
        await upstream.close()


async def test_secrets_never_reach_logs_or_the_database(api, hubspot, caplog):
    caplog.set_level("DEBUG")
    token = "pat-na1-VERY-SECRET-TOKEN-123"
    integration = await api.create_integration("HUBSPOT", token=token)
    hubspot.state.tokens.add(token)
    await api.data(
        """mutation($id: ID!) { createDefaultAssociation(integrationId: $id,
             fromObjectType: "contacts", fromObjectId: "1", toObjectType: "companies",
             toObjectId: "1001") { status } }""",
        {"id": integration},
    )
    revoked = await api.create_integration("HUBSPOT", token="pat-REVOKED-SECRET-456")
    await api.post(
        """mutation($id: ID!) { createDefaultAssociation(integrationId: $id,
             fromObjectType: "contacts", fromObjectId: "1", toObjectType: "companies",
             toObjectId: "1001") { status } }""",
        {"id": revoked},
    )
    assert "SECRET" not in caplog.text
    assert "VERY-SECRET" not in str(await api.post("{ crmIntegrations { id name config } }"))
