"""A page on another origin calls crmgraph from Chromium: the browser's own CORS checks decide."""

from __future__ import annotations

import json

from tests.browser.conftest import API_KEY, Page, ServerFactory

# What a frontend's GraphQL client sends: a preflighted POST with Apollo's headers.
FETCH = """
fetch(%s, {
  method: "POST",
  headers: {
    "Authorization": "Bearer %s",
    "Content-Type": "application/json",
    "apollographql-client-name": "web",
    "apollographql-client-version": "1.0",
  },
  body: JSON.stringify({query: "{ __typename }"}),
}).then(r => r.json()).then(b => JSON.stringify(b), e => "refused: " + e.message)
"""


async def fetch_from(page: Page, frontend: str, url: str) -> str:
    await page.send("Page.navigate", url=f"{frontend}/healthz")
    await page.wait_for("document.readyState === 'complete'", "the frontend's page")
    result: str = await page.evaluate(FETCH % (json.dumps(url), API_KEY))
    return result


async def test_a_listed_origin_calls_from_the_browser_and_others_are_refused(
    start_server: ServerFactory, browser_page: Page
) -> None:
    frontend = await start_server()
    origin = f"http://127.0.0.1:{frontend.port}"
    listed = await start_server(cors_origins=f"https://other.example,{origin}")
    unlisted = await start_server(cors_origins="https://other.example")

    # localhost and 127.0.0.1 are different origins: each call below is cross-origin.
    allowed = await fetch_from(browser_page, origin, f"http://localhost:{listed.port}/graphql")
    refused = await fetch_from(browser_page, origin, f"http://localhost:{unlisted.port}/graphql")

    assert json.loads(allowed) == {"data": {"__typename": "Query"}}
    assert refused.startswith("refused: ")
