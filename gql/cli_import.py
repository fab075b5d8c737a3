"""``crmgraph import FILE.csv``: start an association import over HTTP and follow it.

The file goes up as a GraphQL multipart request (``startAssociationImport``); progress comes
from the ``associationImportProgress`` subscription (graphql-transport-ws), shown as a rich
progress bar with rate and ETA; failed rows are written to ``--failures`` with their reasons.
``--resume JOB_ID`` follows a job already started (after this command was interrupted).
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import json
import os
from collections.abc import AsyncIterator
from datetime import datetime
from pathlib import Path
from typing import Any

import aiohttp
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    Task,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.text import Text

JOB_FIELDS = (
    "id status total processed succeeded failed errorCode errorMessage startedAt completedAt"
)
START = f"""mutation($id: ID!, $input: AssociationImportInput!) {{
  startAssociationImport(integrationId: $id, input: $input) {{ {JOB_FIELDS} }} }}"""
PROGRESS = f"""subscription($id: ID!) {{
  associationImportProgress(id: $id) {{ {JOB_FIELDS} }} }}"""
ERRORS = """query($id: ID!, $after: String) { associationImport(id: $id) {
  errors(first: 1000, after: $after) {
    items { index line from { id } to { id } type code message } endCursor hasNextPage } } }"""
FINAL = {"COMPLETE", "CANCELED", "FAILED"}


class ImportFailed(Exception):
    """The server refused the request, or answered something this command cannot read."""


class RateColumn(ProgressColumn):
    """Items per second (rich's own speed column counts bytes)."""

    def render(self, task: Task) -> Text:
        speed = task.finished_speed or task.speed
        return Text(f"{speed:,.0f} items/s" if speed else "- items/s", style="progress.data.speed")


def add_parser(sub: Any) -> None:
    p = sub.add_parser("import", help="import associations from a CSV file, with progress")
    p.add_argument("file", nargs="?", type=Path, help="CSV: from_id,to_id[,type] with a header")
    p.add_argument("--integration", help="the integration id to write to")
    p.add_argument("--from-type", help="the object type of from_id (contacts)")
    p.add_argument("--to-type", help="the object type of to_id (companies)")
    p.add_argument("--type", help="the association type of rows that give none")
    p.add_argument(
        "--url",
        default=os.environ.get("CRMGRAPH_URL", "http://127.0.0.1:8000/graphql"),
        help="crmgraph's GraphQL URL (default: $CRMGRAPH_URL or http://127.0.0.1:8000/graphql)",
    )
    p.add_argument(
        "--api-key",
        default=os.environ.get("CRMGRAPH_API_KEY"),
        help="the API key (default: $CRMGRAPH_API_KEY, which other users cannot see in the "
        "process list, unlike this option)",
    )
    p.add_argument("--failures", type=Path, help="write the failed rows and reasons to this CSV")
    p.add_argument("--resume", metavar="JOB_ID", help="follow an import already started")


def run(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    if not args.api_key:
        parser.error("give --api-key (or set CRMGRAPH_API_KEY)")
    if args.resume is None:
        missing = [
            flag
            for flag, value in (
                ("FILE", args.file),
                ("--integration", args.integration),
                ("--from-type", args.from_type),
                ("--to-type", args.to_type),
            )
            if not value
        ]
        if missing:
            parser.error(f"give {', '.join(missing)} (or --resume JOB_ID)")
    console = Console(stderr=False)
    try:
        return asyncio.run(_run(args, console))
    except ImportFailed as exc:
        console.print(f"crmgraph import: {exc}", style="red", markup=False)
        return 1
    except aiohttp.ClientError as exc:
        console.print(f"crmgraph import: cannot reach {args.url}: {exc}", style="red")
        return 1


async def _run(args: argparse.Namespace, console: Console) -> int:
    headers = {"Authorization": f"Bearer {args.api_key}"}
    async with aiohttp.ClientSession(headers=headers) as session:
        if args.resume is None:
            job = await _start(session, args)
            console.print(
                f"crmgraph: import {job['id']} started ({job['total']:,} rows); "
                f"re-attach with --resume {job['id']}",
                markup=False,
            )
        else:
            job = {"id": args.resume}
        job = await _follow(session, args, job["id"], console)
        failures = await _failures(session, args.url, job["id"]) if job["failed"] else []
    _summary(console, job, failures)
    if args.failures is not None:
        _write_failures(args.failures, failures)
        console.print(f"failed rows: {args.failures}", markup=False)
    if job["status"] != "COMPLETE":
        return 1
    return 2 if job["failed"] else 0


def _graphql_answer(body: Any, field: str) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise ImportFailed(f"unexpected answer: {str(body)[:200]}")
    if body.get("errors"):
        error = body["errors"][0]
        code = (error.get("extensions") or {}).get("code", "ERROR")
        raise ImportFailed(f"{code}: {error.get('message')}")
    value = (body.get("data") or {}).get(field)
    if not isinstance(value, dict):
        raise ImportFailed(f"no {field} in the answer")
    return value


async def _start(session: aiohttp.ClientSession, args: argparse.Namespace) -> dict[str, Any]:
    variables = {
        "id": args.integration,
        "input": {
            "fromObjectType": args.from_type,
            "toObjectType": args.to_type,
            "type": args.type,
            "file": None,
        },
    }
    form = aiohttp.FormData()
    form.add_field("operations", json.dumps({"query": START, "variables": variables}))
    form.add_field("map", json.dumps({"0": ["variables.input.file"]}))
    form.add_field("0", args.file.read_bytes(), filename=args.file.name, content_type="text/csv")
    async with session.post(args.url, data=form) as response:
        body = await response.json(content_type=None)
    return _graphql_answer(body, "startAssociationImport")


async def _progress(
    session: aiohttp.ClientSession, args: argparse.Namespace, job_id: str
) -> AsyncIterator[dict[str, Any]]:
    """The job each time it moves, over graphql-transport-ws (the key in connection_init)."""
    async with session.ws_connect(args.url, protocols=["graphql-transport-ws"]) as ws:
        await ws.send_json(
            {"type": "connection_init", "payload": {"Authorization": f"Bearer {args.api_key}"}}
        )
        ack = await ws.receive()
        if (
            ack.type != aiohttp.WSMsgType.TEXT
            or json.loads(ack.data).get("type") != "connection_ack"
        ):
            raise ImportFailed("the server refused the progress socket (check the API key)")
        await ws.send_json(
            {
                "id": "progress",
                "type": "subscribe",
                "payload": {"query": PROGRESS, "variables": {"id": job_id}},
            }
        )
        async for message in ws:
            if message.type != aiohttp.WSMsgType.TEXT:
                break
            data = json.loads(message.data)
            if data.get("type") == "next":
                yield _graphql_answer(data.get("payload"), "associationImportProgress")
            elif data.get("type") == "error":
                _graphql_answer({"errors": data.get("payload")}, "associationImportProgress")
            elif data.get("type") == "complete":
                return
    raise ImportFailed("the progress socket closed before the import ended")


async def _follow(
    session: aiohttp.ClientSession, args: argparse.Namespace, job_id: str, console: Console
) -> dict[str, Any]:
    columns = (
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        RateColumn(),
        TextColumn("ETA"),
        TimeRemainingColumn(),
        TimeElapsedColumn(),
    )
    job: dict[str, Any] = {}
    with Progress(*columns, console=console) as bar:
        task = bar.add_task("importing", total=None)
        async for job in _progress(session, args, job_id):
            bar.update(task, total=job["total"], completed=job["processed"])
            bar.update(task, description=job["status"].lower())
            if job["status"] in FINAL:
                break
    return job


async def _failures(session: aiohttp.ClientSession, url: str, job_id: str) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    after = None
    while True:
        async with session.post(
            url, json={"query": ERRORS, "variables": {"id": job_id, "after": after}}
        ) as response:
            body = await response.json(content_type=None)
        page = _graphql_answer(body, "associationImport")["errors"]
        items += page["items"]
        if not page["hasNextPage"]:
            return items
        after = page["endCursor"]


def _summary(console: Console, job: dict[str, Any], failures: list[dict[str, Any]]) -> None:
    took = ""
    if job.get("startedAt") and job.get("completedAt"):
        seconds = (
            datetime.fromisoformat(job["completedAt"]) - datetime.fromisoformat(job["startedAt"])
        ).total_seconds()
        rate = f", {job['processed'] / seconds:,.0f} items/s" if seconds > 0 else ""
        took = f" in {seconds:,.1f} s{rate}"
    console.print(
        f"{job['status']}: {job['total']:,} rows, {job['succeeded']:,} created, "
        f"{job['failed']:,} failed{took}",
        markup=False,
    )
    if job.get("errorCode"):
        console.print(f"stopped: {job['errorCode']}: {job['errorMessage']}", markup=False)
    for failure in failures[:5]:
        where = f"line {failure['line']}" if failure["line"] else f"input {failure['index']}"
        console.print(f"  {where}: {failure['code']}: {failure['message']}", markup=False)
    if len(failures) > 5:
        console.print(f"  ... and {len(failures) - 5:,} more", markup=False)


def _write_failures(path: Path, failures: list[dict[str, Any]]) -> None:
    with path.open("w", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(["line", "index", "from_id", "to_id", "type", "code", "message"])
        for f in failures:
            writer.writerow(
                [
                    f["line"] or "",
                    f["index"],
                    (f["from"] or {}).get("id", ""),
                    (f["to"] or {}).get("id", ""),
                    f["type"] or "",
                    f["code"],
                    f["message"],
                ]
            )
