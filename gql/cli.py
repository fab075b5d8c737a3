"""``crmgraph serve``, ``migrate``, ``export-schema``, ``capabilities`` and ``import``."""

from __future__ import annotations

import argparse
import asyncio
import errno
import logging
import os
import signal
import sys
from importlib.metadata import version
from pathlib import Path

from aiohttp import web
from pydantic import ValidationError

from gql import cli_import
from gql.observability.logging import configure_logging
from gql.settings import API_KEY_FORM, ApiKeysError, Settings

# Exit codes: 2 for a configuration we refuse (argparse's own for bad arguments), 1 when the
# server cannot listen.
EXIT_CONFIG = 2
EXIT_LISTEN = 1


class StartError(Exception):
    """A reason not to start, said in one line."""

    def __init__(self, message: str, exit_code: int) -> None:
        super().__init__(message)
        self.exit_code = exit_code


def _settings() -> Settings:
    try:
        settings = Settings()
    except ValidationError as exc:
        first = exc.errors()[0]
        name = "CRMGRAPH_" + str(first["loc"][0]).upper() if first["loc"] else "a setting"
        raise StartError(f"{name}: {first['msg']}", EXIT_CONFIG) from None
    if not settings.api_key_map():
        raise StartError(
            f"CRMGRAPH_API_KEYS is empty: give {API_KEY_FORM} "
            "(or run `crmgraph serve --sandbox` to try it offline)",
            EXIT_CONFIG,
        )
    if not settings.import_jobs_per_replica and not settings.shared_database:
        raise StartError(
            "CRMGRAPH_IMPORT_JOBS_PER_REPLICA=0 needs a PostgreSQL CRMGRAPH_DATABASE_URL: on "
            "SQLite no other process could run this one's imports",
            EXIT_CONFIG,
        )
    return settings


async def _serve(args: argparse.Namespace) -> None:
    stack = None
    if args.sandbox:
        from gql.sandbox import Sandbox

        stack = await Sandbox.start(
            args.fault,
            api_keys=os.environ.get("CRMGRAPH_API_KEYS"),
            key_file=args.sandbox_key_file,
            cors_origins=os.environ.get("CRMGRAPH_CORS_ORIGINS", "*"),
        )
        settings = stack.settings
    else:
        settings = _settings()
    configure_logging(settings.log_format, settings.log_level)
    # Imported once the settings are known good: a refusal answers before the schema is built.
    from gql.app import build_app

    runner = None
    try:
        try:
            app = build_app(settings)
        except (ValueError, OSError) as exc:  # e.g. an unreadable persisted-query manifest
            raise StartError(str(exc), EXIT_CONFIG) from None
        if stack is not None:
            app.on_startup.append(stack.seed)
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        try:
            await web.TCPSite(runner, args.host, args.port).start()
        except OSError as exc:
            reason = "the port is in use" if exc.errno == errno.EADDRINUSE else exc.strerror
            raise StartError(
                f"cannot listen on {args.host}:{args.port}: {reason} (choose another with --port)",
                EXIT_LISTEN,
            ) from None
        port = runner.addresses[0][1]  # the one the system chose for --port 0
        url = f"http://{args.host}:{port}/graphql"
        print(f"crmgraph: GraphiQL at {url}", flush=True)
        if stack is not None:
            stack.announce(url)
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        await stop.wait()
    finally:
        if runner is not None:
            await runner.cleanup()
        if stack is not None:
            await stack.close()


async def _migrate(url: str) -> None:
    from gql.store.db import open_database

    engine, _ = await open_database(url)  # opening migrates
    await engine.dispose()
    print("crmgraph: database schema is up to date", flush=True)


def parser() -> argparse.ArgumentParser:
    defaults = argparse.ArgumentDefaultsHelpFormatter
    root = argparse.ArgumentParser(prog="crmgraph", description=__doc__, formatter_class=defaults)
    root.add_argument("--version", action="version", version=f"crmgraph {version('crmgraph')}")
    sub = root.add_subparsers(dest="command", required=True)
    serve = sub.add_parser(
        "serve",
        help="run the GraphQL server",
        description="Run the GraphQL server (/graphql, /healthz). Settings come from "
        "CRMGRAPH_* environment variables; CRMGRAPH_API_KEYS is required except with --sandbox.",
        formatter_class=defaults,
    )
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on")
    serve.add_argument("--port", type=int, default=8000, help="port to listen on")
    serve.add_argument(
        "--sandbox",
        action="store_true",
        help="run offline against built-in emulators of HubSpot, Salesforce and HighLevel",
    )
    serve.add_argument(
        "--sandbox-key-file",
        type=Path,
        default=Path(".crmgraph-sandbox.key"),
        metavar="PATH",
        help="sandbox only: where the development API key is kept across restarts "
        "(unused when CRMGRAPH_API_KEYS is set)",
    )
    serve.add_argument(
        "--fault",
        action="append",
        default=[],
        metavar="SPEC",
        help="sandbox only: inject a fault into the emulators, e.g. "
        "'rate_limit:method=POST;rate=0.2;retry_after=0' (see emulators/faults.py); repeatable",
    )
    sub.add_parser("export-schema", help="print the schema's SDL")
    sub.add_parser(
        "migrate", help="bring CRMGRAPH_DATABASE_URL's schema up to date (serve does it too)"
    )
    capabilities = sub.add_parser(
        "capabilities", help="print what each CRM supports (the README's matrix)"
    )
    capabilities.add_argument(
        "--markdown", action="store_true", help="as the README's Markdown table (the default)"
    )
    cli_import.add_parser(sub)
    return root


def main(argv: list[str] | None = None) -> int:
    cli = parser()
    args = cli.parse_args(argv)
    if args.command == "import":
        return cli_import.run(args, cli)
    if args.command == "capabilities":
        from gql.resolvers.capabilities import markdown

        sys.stdout.write(markdown())
        return 0
    if args.command == "export-schema":
        from gql.schema import export_sdl

        sys.stdout.write(export_sdl())
        return 0
    configure_logging()  # the settings' format once they are read (_serve)
    if args.command == "migrate":
        asyncio.run(_migrate(Settings().database_url))  # logs each revision it applies
        return 0
    if args.fault and not args.sandbox:
        cli.error("--fault needs --sandbox")
    # serve migrates at every start too: one line per revision applied is noise there.
    logging.getLogger("alembic").setLevel(logging.WARNING)
    try:
        asyncio.run(_serve(args))
    except StartError as exc:
        print(f"crmgraph: {exc}", file=sys.stderr)
        return exc.exit_code
    except ApiKeysError as exc:
        print(f"crmgraph: {exc}", file=sys.stderr)
        return EXIT_CONFIG
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
