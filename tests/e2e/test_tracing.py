"""OpenTelemetry spans of a request, read from the in-memory exporter."""

from __future__ import annotations

import threading
from collections.abc import AsyncIterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, ClassVar

import pytest
from aiohttp.test_utils import TestClient, TestServer
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind

from gql.app import OBSERVABILITY, build_app
from tests.harness import KEYS, TOKENS, Api, make_settings, serve

DEFAULT = """mutation LinkOne($id: ID!) {
  createDefaultAssociation(integrationId: $id, fromObjectType: "contacts", fromObjectId: "999999",
                           toObjectType: "companies", toObjectId: "1001") {
    status errors { requestId } }
}"""
# The token inline in the document, where a careless tracer would record it.
INLINE = """mutation { createCrmIntegration(input: {
  provider: HUBSPOT, name: "inline", credentials: { accessToken: "%s" } }) { id } }"""


@pytest.fixture
async def traced(settings: Any) -> AsyncIterator[tuple[Api, InMemorySpanExporter]]:
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    client: TestClient[Any, Any] = TestClient(
        TestServer(build_app(settings, tracer_provider=provider))
    )
    await client.start_server()
    yield Api(client), exporter
    await client.close()


def parent_chain(span: ReadableSpan, spans: list[ReadableSpan]) -> list[ReadableSpan]:
    by_id = {s.context.span_id: s for s in spans}
    chain = []
    while span.parent is not None and span.parent.span_id in by_id:
        span = by_id[span.parent.span_id]
        chain.append(span)
    return chain


async def test_spans_of_a_request_from_server_to_upstream(traced, hubspot):
    api, exporter = traced
    data = await api.data(INLINE % TOKENS["HUBSPOT"])
    integration = data["createCrmIntegration"]["id"]
    exporter.clear()

    response = await api.client.post(
        "/graphql",
        json={"query": DEFAULT, "variables": {"id": integration}},
        headers={"Authorization": f"Bearer {api.key}", "X-Request-Id": "req-trace-7"},
    )
    body = await response.json()
    provider_id = body["data"]["createDefaultAssociation"]["errors"][0]["requestId"]
    spans = list(exporter.get_finished_spans())

    [server] = [s for s in spans if s.kind is SpanKind.SERVER and s.name == "POST /graphql"]
    assert server.parent is None
    assert server.attributes["crmgraph.request_id"] == "req-trace-7"
    assert server.attributes["http.response.status_code"] == 200
    [operation] = [s for s in spans if s.name.startswith("GraphQL Query")]
    assert operation.name == "GraphQL Query: LinkOne"
    assert operation.attributes["crmgraph.request_id"] == "req-trace-7"
    assert operation.parent is not None
    assert operation.parent.span_id == server.context.span_id
    [upstream] = [s for s in spans if s.kind is SpanKind.CLIENT]
    assert operation in parent_chain(upstream, spans)
    assert upstream.attributes["crmgraph.request_id"] == "req-trace-7"
    assert upstream.attributes["crmgraph.provider_request_id"] == provider_id
    assert {s.context.trace_id for s in spans} == {server.context.trace_id}


async def test_no_secret_in_any_span(traced, hubspot):
    api, exporter = traced
    data = await api.data(INLINE % TOKENS["HUBSPOT"])
    await api.post(DEFAULT, {"id": data["createCrmIntegration"]["id"]})
    spans = exporter.get_finished_spans()
    assert any(s.kind is SpanKind.CLIENT for s in spans)
    values = [str(v) for s in spans for v in (s.attributes or {}).values()]
    values += [s.name for s in spans]
    assert values
    everything = "\n".join(values)
    assert TOKENS["HUBSPOT"] not in everything
    assert all(key not in everything for key in KEYS.values())
    assert "Bearer" not in everything
    # The document is kept, its literals blanked.
    assert any('accessToken: "***"' in v for v in values)


async def test_tracing_is_off_without_an_endpoint(api):
    app = api.client.server.app
    assert app[OBSERVABILITY].tracing is None


class Collector(BaseHTTPRequestHandler):
    """A stand-in OTLP/HTTP collector: it keeps what it is sent."""

    received: ClassVar[list[tuple[str, str, bytes]]] = []

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.received.append((self.path, self.headers["Content-Type"], body))
        self.send_response(200)
        self.send_header("Content-Type", "application/x-protobuf")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        pass


async def test_spans_are_exported_over_otlp_when_an_endpoint_is_set(tmp_path, hubspot):
    server = ThreadingHTTPServer(("127.0.0.1", 0), Collector)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        endpoint = f"http://127.0.0.1:{server.server_address[1]}"
        settings = make_settings(
            str(tmp_path / "db.sqlite"),
            hubspot_base_url=hubspot.url,
            otel_exporter_otlp_endpoint=endpoint,
            otel_service_name="crmgraph-test",
        )
        client = await serve(settings)
        await Api(client).post("query Traced { crmIntegrations { id } }")
        await client.close()  # shuts the provider down, which flushes the queued spans
    finally:
        server.shutdown()
        thread.join()
        server.server_close()
    [(path, content_type, body)] = Collector.received
    assert (path, content_type) == ("/v1/traces", "application/x-protobuf")
    assert b"GraphQL Query: Traced" in body
    assert b"crmgraph-test" in body
