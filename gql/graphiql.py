"""The GraphiQL explorer, served with its own assets so that it works offline.

``bash gql/static/install.sh`` brings the pinned GraphiQL 3 / React 18 browser builds from the npm
registry into ``gql/static/graphiql/`` (not committed); the app serves that folder at
``/graphiql/static/``. The page loads nothing from any other host.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
from pathlib import Path

from aiohttp import web

from gql.settings import Settings

STATIC_DIR = Path(__file__).resolve().parent / "static" / "graphiql"
STATIC_URL = "/graphiql/static/"
INSTALL_COMMAND = "bash gql/static/install.sh"
ENDPOINT = "/graphql"

# In load order: React and ReactDOM UMD builds, then GraphiQL's UMD build that needs them.
SCRIPTS = ("react.production.min.js", "react-dom.production.min.js", "graphiql.min.js")
STYLESHEETS = ("graphiql.min.css",)
ASSETS = SCRIPTS + STYLESHEETS

PLACEHOLDER_KEY = "<your api key>"
DEFAULT_QUERY = """\
# crmgraph's GraphiQL explorer.
# Operations need "Authorization: Bearer <api key>":
# see the Headers tab below.

query Integrations {
  crmIntegrations {
    id
    name
    provider
  }
}
"""


def assets_installed() -> bool:
    return all((STATIC_DIR / name).is_file() for name in ASSETS)


def _version() -> str:
    """A cache buster for the asset URLs: changes with any of the installed versions."""
    try:
        versions = (STATIC_DIR / "versions.json").read_bytes()
    except OSError:
        return ""
    return hashlib.sha256(versions).hexdigest()[:12]


def _asset_url(name: str, version: str) -> str:
    url = STATIC_URL + name
    return f"{url}?v={version}" if version else url


def _script_json(value: object) -> str:
    """JSON that is safe inside a <script> element: it cannot close it or open a comment."""
    text = json.dumps(value, ensure_ascii=True)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _headers(settings: Settings) -> str:
    """The headers editor's default content: the sandbox's dev key, or a placeholder."""
    key = settings.graphiql_prefill_key
    token = key.get_secret_value() if key is not None else PLACEHOLDER_KEY
    return json.dumps({"Authorization": f"Bearer {token}"}, indent=2)


# Runs after the three scripts; reads its settings from the JSON element, so no value is ever
# spliced into JavaScript source.
_BOOT = """\
(function () {
  var config = JSON.parse(document.getElementById("graphiql-config").textContent);
  try {
    // Headers are never persisted here: any stored ones are stale copies of an API key.
    localStorage.removeItem("graphiql:headers");
    localStorage.removeItem("graphiql:shouldPersistHeaders");
  } catch (e) {}
  var root = ReactDOM.createRoot(document.getElementById("graphiql"));
  root.render(
    React.createElement(GraphiQL, {
      fetcher: GraphiQL.createFetcher({ url: config.url }),
      defaultQuery: config.defaultQuery,
      defaultHeaders: config.headers,
      defaultEditorToolsVisibility: "headers",
      isHeadersEditorEnabled: true,
      shouldPersistHeaders: false,
    })
  );
})();
"""

_BOOT_HASH = base64.b64encode(hashlib.sha256(_BOOT.encode()).digest()).decode()
# Only this origin, and of inline scripts only the boot script: the page reaches no other host.
CSP = (
    f"default-src 'self'; script-src 'self' 'sha256-{_BOOT_HASH}'; "
    "style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'"
)

_PAGE = """\
<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="{csp}">
<meta name="referrer" content="no-referrer">
<link rel="icon" href="data:,">
<title>crmgraph · GraphiQL</title>
<style>html, body, #graphiql {{ height: 100%; margin: 0; overflow: hidden; }}</style>
{stylesheets}
</head>
<body>
<div id="graphiql">Loading GraphiQL…</div>
{scripts}
<script type="application/json" id="graphiql-config">{config}</script>
<script>{boot}</script>
</body>
</html>
"""

_MISSING = """\
<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>crmgraph · GraphiQL not installed</title>
<style>
body {{ font-family: system-ui, sans-serif; max-width: 44rem; margin: 3rem auto; padding: 0 1rem;
        line-height: 1.5; color: #222; }}
code, pre {{ background: #f3f3f3; padding: 0.1rem 0.3rem; border-radius: 3px; }}
pre {{ padding: 0.6rem 0.8rem; }}
</style>
</head>
<body>
<h1>GraphiQL's assets are not installed</h1>
<p>This server serves the GraphiQL explorer from its own files so that it works offline, and
they are missing from <code>{folder}</code>. Install them (this needs <code>npm</code>) from the
repository's root, then reload this page:</p>
<pre>{command}</pre>
<p>The GraphQL API itself works without them: send operations with
<code>POST {endpoint}</code> and the header <code>Authorization: Bearer &lt;api key&gt;</code>.</p>
</body>
</html>
"""


def page(settings: Settings) -> str:
    """The explorer's HTML; a page that says how to install the assets when they are missing."""
    if not assets_installed():
        return _MISSING.format(
            folder=html.escape(str(STATIC_DIR)),
            command=html.escape(INSTALL_COMMAND),
            endpoint=html.escape(ENDPOINT),
        )
    version = _version()
    stylesheets = "\n".join(
        f'<link rel="stylesheet" href="{html.escape(_asset_url(name, version))}">'
        for name in STYLESHEETS
    )
    scripts = "\n".join(
        f'<script src="{html.escape(_asset_url(name, version))}"></script>' for name in SCRIPTS
    )
    config = {"url": ENDPOINT, "headers": _headers(settings), "defaultQuery": DEFAULT_QUERY}
    return _PAGE.format(
        csp=html.escape(CSP),
        stylesheets=stylesheets,
        scripts=scripts,
        config=_script_json(config),
        boot=_BOOT,
    )


async def _not_installed(request: web.Request) -> web.StreamResponse:
    # The assets may have been installed since the app started: serve the known ones then.
    name = request.match_info["name"]
    if name in ASSETS and (STATIC_DIR / name).is_file():
        return web.FileResponse(STATIC_DIR / name)
    raise web.HTTPNotFound(text=f"GraphiQL's assets are not installed: run {INSTALL_COMMAND}\n")


def add_routes(app: web.Application) -> None:
    """Serve gql/static/graphiql/ at /graphiql/static/."""
    if STATIC_DIR.is_dir():
        app.router.add_static(STATIC_URL, STATIC_DIR, name="graphiql-static")
    else:
        app.router.add_get(STATIC_URL + "{name}", _not_installed, name="graphiql-static")
