"""Request ids and the log format.

Every HTTP request gets an id: the caller's ``X-Request-Id`` when it is a short token of safe
characters (a longer or odd one could forge log lines), else a new one. It is kept in a
context variable for as long as the request is handled, so every log record made on its
behalf, in ``gql/`` or in ``providers/`` (the upstream call's line included), carries it as
``request_id`` (``RequestIdFilter``, installed on the handlers), and the response sends it back
in ``X-Request-Id``. Tasks started while handling the request (DataLoader batches, the retry loop's
attempts) copy the context, so they carry it too.

``configure_logging`` picks the format: ``text`` (one line, the request id in brackets) or
``json`` (python-json-logger: one object per line with ``time``, ``level``, ``logger``,
``message``, ``request_id`` and whatever the line adds, such as ``provider``, ``endpoint``,
``status`` and ``provider_request_id`` on an upstream call's line).
"""

from __future__ import annotations

import logging
import re
import secrets
import sys
from contextvars import ContextVar
from typing import Literal

from aiohttp import web
from aiohttp.typedefs import Handler, Middleware
from pythonjsonlogger.json import JsonFormatter

HEADER = "X-Request-Id"
_ACCEPTED = re.compile(r"[A-Za-z0-9._:-]{1,128}")

request_id: ContextVar[str | None] = ContextVar("crmgraph_request_id", default=None)

LogFormat = Literal["text", "json"]


def new_request_id() -> str:
    return secrets.token_hex(16)


def request_id_from(header: str | None) -> str:
    """The caller's id when it is safe to log and echo, else a new one."""
    if header is not None and _ACCEPTED.fullmatch(header):
        return header
    return new_request_id()


class RequestIdFilter(logging.Filter):
    """Adds ``request_id`` (the current request's, or ``-``) to every record it sees."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = request_id.get() or "-"
        return True


def middleware() -> Middleware:
    """Outermost: the id is set before anything logs, and every answer carries it."""

    @web.middleware
    async def with_request_id(request: web.Request, handler: Handler) -> web.StreamResponse:
        rid = request_id_from(request.headers.get(HEADER))
        token = request_id.set(rid)
        try:
            response = await handler(request)
        except web.HTTPException as exc:  # a response too (redirects, static 404s)
            exc.headers[HEADER] = rid
            raise
        finally:
            request_id.reset(token)
        if not response.prepared:  # a prepared (streamed) response has sent its headers
            response.headers[HEADER] = rid
        return response

    return with_request_id


TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(request_id)s]: %(message)s"


def formatter(log_format: LogFormat) -> logging.Formatter:
    if log_format == "json":
        return JsonFormatter(
            "%(levelname)s %(name)s %(message)s %(request_id)s",
            rename_fields={"levelname": "level", "name": "logger"},
            timestamp="time",  # ISO 8601, UTC
        )
    return logging.Formatter(TEXT_FORMAT)


def configure_logging(log_format: LogFormat = "text", level: str = "INFO") -> logging.Handler:
    """One stderr handler on the root logger, in ``log_format``, adding request ids."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(formatter(log_format))
    handler.addFilter(RequestIdFilter())
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level.upper())
    return handler


__all__ = [
    "HEADER",
    "LogFormat",
    "RequestIdFilter",
    "configure_logging",
    "formatter",
    "middleware",
    "new_request_id",
    "request_id",
    "request_id_from",
]
