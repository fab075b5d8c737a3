"""GraphiQL works offline: its page and assets come from the app, and it runs operations."""

from __future__ import annotations

import json
import re
from pathlib import Path

import aiohttp
import pytest

from gql import graphiql
from tests.browser.conftest import API_KEY, Page, ServerFactory, require_assets

HTML = {"Accept": "text/html"}
MUTATION = """\
mutation FromBrowser {
  createCrmIntegration(
    input: {provider: HUBSPOT, name: "from-browser", credentials: {accessToken: "t"}}
  ) {
    id
    name
  }
}
"""
# CodeMirror 5 keeps its editor object on the element that wraps it.
EDITOR = "document.querySelector('.graphiql-query-editor .CodeMirror').CodeMirror"
RESPONSE = "document.querySelector('.graphiql-response .CodeMirror').CodeMirror"
TOOL_EDITORS = "[...document.querySelectorAll('.graphiql-editor-tool .CodeMirror')]"


async def _get(url: str, **kw: object) -> tuple[int, str, str]:
    async with (
        aiohttp.ClientSession(trust_env=False) as session,
        session.get(url, **kw) as response,  # type: ignore[arg-type]
    ):
        return response.status, response.content_type, await response.text()


def _prefilled(page: str) -> str | None:
    """The headers editor's default content, read from the page's JSON config."""
    found = re.search(r'<script type="application/json" id="graphiql-config">(.*?)</script>', page)
    assert found, page
    headers: str = json.loads(found.group(1))["headers"]
    return headers


async def test_page_loads_only_local_assets(start_server: ServerFactory) -> None:
    require_assets()
    server = await start_server()
    status, content_type, page = await _get(f"{server.url}/graphql", headers=HTML)
    assert (status, content_type) == (200, "text/html")

    lowered = page.lower()
    for word in ("cdn", "unpkg", "jsdelivr", "http://", "https://"):
        assert word not in lowered, word
    sources = re.findall(r'<script[^>]*\ssrc="([^"]*)"', page)
    links = re.findall(r'<link rel="stylesheet" href="([^"]*)"', page)
    assert len(sources) == 3, sources
    assert len(links) == 1, links
    assert re.findall(r'<link[^>]*\shref="([^"]*)"', page) == ["data:,", *links]
    for url in sources + links:
        assert url.startswith("/graphiql/static/"), url
        status, _, body = await _get(server.url + url)
        assert status == 200, url
        assert len(body) > 1000, url
    assert "Content-Security-Policy" in page


async def test_prefilled_key_only_in_sandbox(start_server: ServerFactory) -> None:
    require_assets()
    sandbox = await start_server(graphiql_prefill_key='s3cr</script>&"key')
    _, _, page = await _get(f"{sandbox.url}/graphql", headers=HTML)
    # Escaped so that it cannot end the script element; present only in the headers default.
    assert "</script>&" not in page
    assert page.count("s3cr") == 1
    assert json.loads(_prefilled(page) or "") == {"Authorization": 'Bearer s3cr</script>&"key'}

    plain = await start_server(graphiql_prefill_key=None)
    _, _, page = await _get(f"{plain.url}/graphql", headers=HTML)
    assert API_KEY not in page
    assert "s3cr" not in page
    assert json.loads(_prefilled(page) or "") == {"Authorization": "Bearer <your api key>"}


async def test_operations_still_need_a_key(start_server: ServerFactory) -> None:
    server = await start_server()
    status, _, _ = await _get(f"{server.url}/graphql?query=%7B__typename%7D")
    assert status == 401


async def test_page_says_how_to_install_missing_assets(
    start_server: ServerFactory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(graphiql, "STATIC_DIR", tmp_path / "no-assets")
    server = await start_server()
    status, _, page = await _get(f"{server.url}/graphql", headers=HTML)
    assert status == 200
    assert "not installed" in page
    assert "bash gql/static/install.sh" in page
    assert "<script" not in page
    assert API_KEY not in page
    status, _, body = await _get(f"{server.url}/graphiql/static/graphiql.min.js")
    assert status == 404
    assert "bash gql/static/install.sh" in body


async def test_graphiql_runs_an_operation_in_chromium(
    start_server: ServerFactory, browser_page: Page, tmp_path: Path
) -> None:
    require_assets()
    server = await start_server()
    page = browser_page
    try:
        await page.send("Page.navigate", url=f"{server.url}/graphql")
        await page.wait_for(
            f"!!document.querySelector('.graphiql-execute-button') && !!{EDITOR} && !!{RESPONSE}",
            "GraphiQL's editors",
        )
        # The sandbox's key is in the headers editor, so the operation below is authorized.
        headers = await page.wait_for(
            f"{TOOL_EDITORS}.map(e => e.CodeMirror.getValue()).find(v => v.includes('Bearer'))",
            "the headers editor",
        )
        assert json.loads(headers) == {"Authorization": f"Bearer {API_KEY}"}

        await page.evaluate(f"{EDITOR}.setValue({json.dumps(MUTATION)})")
        # GraphiQL parses the editor's text 100 ms after a change: the run button sends the
        # operation name it found then.
        await page.wait_for(f"{EDITOR}.operationName === 'FromBrowser'", "GraphiQL to parse it")
        await page.click(".graphiql-execute-button")
        text = await page.wait_for(
            f"(v => v.includes('from-browser') ? v : null)({RESPONSE}.getValue())",
            "the operation's result in the response pane",
        )
        result = json.loads(text)
        created = result["data"]["createCrmIntegration"]
        assert created["name"] == "from-browser"
        assert created["id"]
        assert "errors" not in result

        # The integration really was stored, for the key's tenant.
        async with (
            aiohttp.ClientSession(trust_env=False) as session,
            session.post(
                f"{server.url}/graphql",
                json={"query": "{ crmIntegrations { id name } }"},
                headers={"Authorization": f"Bearer {API_KEY}"},
            ) as response,
        ):
            stored = (await response.json())["data"]["crmIntegrations"]
        assert {"id": created["id"], "name": "from-browser"} in stored

        # Nothing but this server: GraphiQL's fonts are data: URLs inside its stylesheet.
        local = f"http://127.0.0.1:{server.port}/"
        remote = [u for u in page.requests if not u.startswith(local) and not u.startswith("data:")]
        assert remote == []
        assert any(u.startswith(f"{local}graphiql/static/graphiql.min.js") for u in page.requests)
        assert page.problems == []
    except BaseException:
        shot = await page.screenshot(tmp_path / "graphiql-failure.png")
        print(f"screenshot of the page: {shot}")
        print("query editor:", await page.evaluate(f"{EDITOR}.getValue()"))
        print("response:", await page.evaluate(f"{RESPONSE}.getValue()"))
        print("requests:", page.requests)
        raise
