"""``crmgraph serve`` and ``crmgraph export-schema``."""

from __future__ import annotations

import argparse
import asyncio
import signal
import sys

from aiohttp import web

from gql.observability.logging import configure_logging
from gql.settings import Settings


async def _serve(host: str, port: int, sandbox: bool, faults: list[str]) -> None:
    from gql.app import build_app

    stack = None
    if sandbox:
        from gql.sandbox import Sandbox

        stack = await Sandbox.start(faults)
        settings = stack.settings
    else:
        settings = Settings()
    app = build_app(settings)
    if stack is not None:
        app.on_startup.append(stack.seed)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, host, port)
    await site.start()
    url = f"http://{host}:{port}/graphql"
    print(f"crmgraph: GraphiQL at {url}", flush=True)
    if stack is not None:
        stack.announce(url)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    try:
        await stop.wait()
    finally:
        await runner.cleanup()
        if stack is not None:
            await stack.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="crmgraph", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="run the GraphQL server")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument(
        "--sandbox",
        action="store_true",
        help="run offline against built-in emulators of HubSpot, Salesforce and HighLevel",
    )
    serve.add_argument(
        "--fault",
        action="append",
        default=[],
        metavar="SPEC",
        help="sandbox only: inject a fault into the emulators, e.g. "
        "'rate_limit:method=POST;rate=0.2;retry_after=0' (see emulators/faults.py)",
    )
    sub.add_parser("export-schema", help="print the schema's SDL")
    args = parser.parse_args(argv)
    if args.command == "export-schema":
        from gql.schema import export_sdl

        sys.stdout.write(export_sdl())
        return 0
    settings = Settings()
    configure_logging(settings.log_format, settings.log_level)
    if args.fault and not args.sandbox:
        parser.error("--fault needs --sandbox")
    asyncio.run(_serve(args.host, args.port, args.sandbox, args.fault))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
