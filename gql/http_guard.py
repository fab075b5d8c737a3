"""The outermost middleware: every refusal is a JSON GraphQL error with a code, never a 500.

Strawberry's view answers HTTP-level refusals (malformed JSON, wrong content type, a mutation
over GET, a batch over the cap) as plain-text bodies, and raises ``AttributeError``/``TypeError``
on some well-formed JSON of the wrong shape (a top-level number, a batch of non-objects, a
non-string ``query`` inside a batch); aiohttp raises ``HTTPRequestEntityTooLarge`` and its router
errors as text. ``guard(settings)`` sits outside all of that and:

* checks the shape of a GraphQL request (JSON body or GET parameters, a persisted query's
  ``extensions.persistedQuery`` included) before the view parses it, for callers whose API key is
  valid (anyone else gets the auth middleware's 401 first, and never makes us parse a body);
* rewrites any non-JSON 4xx the view or aiohttp answers as
  ``{"errors": [{"message": ..., "extensions": {"code": ...}}]}`` with a fitting status;
* turns an unexpected exception into a JSON 500 ``INTERNAL_SERVER_ERROR`` with no trace (the trace
  is logged);
* answers ``application/graphql-response+json`` instead of ``application/json`` on /graphql to
  callers that prefer it (``gql.graphql_over_http``).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from typing import Any

from aiohttp import web
from aiohttp.typedefs import Handler, Middleware

from gql import auth, graphql_over_http
from gql.errors import ApiError, Code
from gql.graphiql import STATIC_URL
from gql.persisted_queries import requested_hash
from gql.settings import Settings

log = logging.getLogger(__name__)

GRAPHQL_PATH = "/graphql"
_SHOWN = 200  # longest piece of a caller's input echoed in a message


_STATUS_CODES: dict[int, Code] = {
    400: Code.BAD_REQUEST,
    401: Code.UNAUTHENTICATED,
    403: Code.FORBIDDEN,
    404: Code.NOT_FOUND,
    405: Code.METHOD_NOT_ALLOWED,
    413: Code.PAYLOAD_TOO_LARGE,
    415: Code.UNSUPPORTED_MEDIA_TYPE,
    429: Code.RATE_LIMITED,
}


class Refusal(Exception):
    """A request refused before GraphQL runs."""

    def __init__(
        self,
        status: int,
        code: Code,
        message: str,
        *,
        headers: Mapping[str, str] | None = None,
        **extensions: Any,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.headers = dict(headers or {})
        self.extensions = extensions

    def response(self) -> web.Response:
        return error_response(
            self.status, self.code, self.message, headers=self.headers, **self.extensions
        )


def error_response(
    status: int,
    code: Code,
    message: str,
    *,
    headers: Mapping[str, str] | None = None,
    **extensions: Any,
) -> web.Response:
    """A GraphQL-style error body: ``{"errors": [{"message", "extensions": {"code"}}]}``."""
    error = {"message": message, "extensions": {"code": code.value, **extensions}}
    return web.Response(
        status=status,
        text=json.dumps({"errors": [error]}),
        content_type="application/json",
        headers=headers,
    )


def _shown(value: str) -> str:
    return value if len(value) <= _SHOWN else value[:_SHOWN] + "..."


def _bad(message: str, **extensions: Any) -> Refusal:
    return Refusal(400, Code.BAD_REQUEST, message, **extensions)


# --- the request's shape, checked before the view parses it -------------------------------


def _load_json(raw: bytes | str, what: str) -> Any:
    if not raw.strip():
        raise _bad(f"{what} is empty: send a JSON object")
    try:
        return json.loads(raw)
    except json.JSONDecodeError as exc:
        raise _bad(
            f"{what} is not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})"
        ) from None
    except UnicodeDecodeError:
        raise _bad(f"{what} is not valid JSON: it is not UTF-8 text") from None
    except RecursionError:
        raise _bad(f"{what} is nested too deeply") from None
    except ValueError:  # e.g. an integer longer than Python converts
        raise _bad(f"{what} is not valid JSON: a value cannot be read") from None


def _check_operation(operation: Mapping[str, Any], where: str) -> None:
    query = operation.get("query")
    extensions = operation.get("extensions")
    persisted = isinstance(extensions, dict) and "persistedQuery" in extensions
    if (query is None or query == "") and not persisted:
        raise _bad(f"{where}has no GraphQL query: give `query` as a string")
    if query is not None and not isinstance(query, str):
        raise _bad(f"{where}`query` must be a string")
    for key, kind in (("variables", dict), ("extensions", dict), ("operationName", str)):
        value = operation.get(key)
        if value is not None and not isinstance(value, kind):
            expected = "an object" if kind is dict else "a string"
            raise _bad(f"{where}`{key}` must be {expected} or null")
    if persisted:
        _check_persisted_query(extensions, where)
    name = operation.get("operationName")
    if name is not None and query and len(name) > len(query):
        # A name the document cannot contain; refused here so it is never echoed back whole.
        raise _bad(f"{where}`operationName` names no operation of the document")


def _check_persisted_query(extensions: Any, where: str) -> None:
    try:
        requested_hash(extensions)
    except ApiError as refusal:
        raise _bad(f"{where}{refusal.message}") from None


def _check_body(data: Any, max_operations: int) -> None:
    if isinstance(data, dict):
        _check_operation(data, "the request ")
        return
    if not isinstance(data, list):
        raise _bad(
            "the request body must be a JSON object (one operation) or an array of them (a batch)"
        )
    if not data:
        raise _bad("the batch is empty: send at least one operation")
    if len(data) > max_operations:
        raise Refusal(
            400,
            Code.BATCH_TOO_LARGE,
            f"the batch has {len(data)} operations; at most {max_operations} are accepted "
            "in one request",
            limit=max_operations,
        )
    for n, item in enumerate(data):
        if not isinstance(item, dict):
            raise _bad(f"operation {n} of the batch is not a JSON object")
        _check_operation(item, f"operation {n} of the batch ")


def _check_query_string(request: web.Request) -> None:
    for key in ("variables", "extensions"):
        raw = request.query.get(key)
        if raw:
            value = _load_json(raw, f"the `{key}` parameter")
            if not isinstance(value, dict):
                raise _bad(f"the `{key}` parameter must be a JSON object")
            if key == "extensions":
                _check_persisted_query(value, "the request's ")


async def _check_request(request: web.Request, max_operations: int) -> None:
    if request.method == "GET" and ("query" in request.query or "extensions" in request.query):
        _check_query_string(request)
    elif request.method == "POST" and "application/json" in request.content_type:
        # The view's own test: it parses any such body as JSON.
        # Read once: aiohttp keeps the body for the view (and raises 413 past the limit).
        _check_body(_load_json(await request.read(), "the request body"), max_operations)


# --- answers the view or aiohttp gives as text, made JSON ----------------------------------


def _from_reason(status: int, reason: str) -> Refusal:
    """Strawberry's plain-text refusals (``strawberry.http``), by their reason."""
    if reason == "Too many operations":
        return Refusal(400, Code.BATCH_TOO_LARGE, "the batch has too many operations")
    if reason == "Unsupported content type":
        return Refusal(
            415,
            Code.UNSUPPORTED_MEDIA_TYPE,
            "send the request as application/json (or a query over GET)",
        )
    if reason.endswith("are not allowed when using GET"):
        kind = reason.split(" ", 1)[0]
        return Refusal(
            405,
            Code.METHOD_NOT_ALLOWED,
            f"{kind} are only accepted over POST",
            headers={"Allow": "POST"},
        )
    if status == 405:
        return Refusal(
            405,
            Code.METHOD_NOT_ALLOWED,
            "GraphQL accepts GET (queries) and POST requests",
            headers={"Allow": "GET, POST"},
        )
    if reason == "Can't get GraphQL operation type":
        return _bad("the document has no operation to run")
    if reason.startswith("Unknown operation named"):
        return _bad(f"{_shown(reason)} operationName must name an operation of the document")
    if reason == "No GraphQL query found in the request":
        return _bad("the request has no GraphQL query: give `query`")
    if reason == "Unable to parse request body as JSON":
        return _bad("the request is not valid JSON")
    code = _STATUS_CODES.get(status, Code.BAD_REQUEST)
    return Refusal(status, code, _shown(reason) or f"the request was refused ({status})")


def _from_http_exception(exc: web.HTTPException, max_body: int) -> Refusal:
    headers = {"Allow": exc.headers["Allow"]} if "Allow" in exc.headers else None
    if isinstance(exc, web.HTTPRequestEntityTooLarge):
        return Refusal(
            413,
            Code.PAYLOAD_TOO_LARGE,
            f"the request body is over the limit of {max_body} bytes",
            limit=max_body,
        )
    if isinstance(exc, web.HTTPNotFound):
        return Refusal(404, Code.NOT_FOUND, "no such path: GraphQL is served at /graphql")
    if isinstance(exc, web.HTTPMethodNotAllowed):
        allow = {"Allow": ", ".join(sorted(exc.allowed_methods))}
        return Refusal(
            405, Code.METHOD_NOT_ALLOWED, f"{exc.method} is not allowed here", headers=allow
        )
    code = _STATUS_CODES.get(exc.status, Code.BAD_REQUEST)
    return Refusal(exc.status, code, exc.reason, headers=headers)


def _is_json(response: web.StreamResponse) -> bool:
    return response.content_type in graphql_over_http.JSON_TYPES


def _normalized(response: web.StreamResponse) -> web.StreamResponse:
    if response.status < 400 or _is_json(response) or response.prepared:
        return response
    if not isinstance(response, web.Response):
        return response  # a stream we cannot read back; none of ours
    try:
        reason = (response.text or "").strip()
    except (UnicodeDecodeError, LookupError, TypeError):
        reason = ""
    if response.status >= 500:
        log.error("non-JSON %d answer: %s", response.status, _shown(reason))
        return error_response(500, Code.INTERNAL_SERVER_ERROR, "Unexpected error.")
    return _from_reason(response.status, reason).response()


def guard(settings: Settings) -> Middleware:
    """The outermost middleware: refusals and failures from anywhere inside answer JSON."""
    max_body = settings.max_body_bytes

    @web.middleware
    async def http_guard(request: web.Request, handler: Handler) -> web.StreamResponse:
        response = await answer(request, handler)
        # Refusals answer in the media type the caller asked for, as the view's answers do.
        if (
            request.path == GRAPHQL_PATH
            and response.content_type == graphql_over_http.JSON
            and not response.prepared
            and graphql_over_http.media_type(request.headers.get("Accept"))
            == graphql_over_http.GRAPHQL_RESPONSE
        ):
            response.content_type = graphql_over_http.GRAPHQL_RESPONSE
        return response

    async def answer(request: web.Request, handler: Handler) -> web.StreamResponse:
        try:
            response = await handler(request)
        except Refusal as refusal:
            return refusal.response()
        except web.HTTPException as exc:
            # The explorer's assets answer a plain 404 that says how to install them.
            if exc.status < 400 or request.path.startswith(STATIC_URL):
                raise
            return _from_http_exception(exc, max_body).response()
        except web.RequestPayloadError:
            # A body aiohttp could not read: a bad Content-Encoding, a broken chunked stream.
            return _bad("the request body could not be read (check Content-Encoding)").response()
        except ConnectionResetError:
            raise  # the caller went away: nobody to answer
        except Exception:
            log.exception("unexpected error answering %s %s", request.method, request.path)
            return error_response(500, Code.INTERNAL_SERVER_ERROR, "Unexpected error.")
        if request.path.startswith(STATIC_URL):
            return response
        return _normalized(response)

    return http_guard


def request_shape(settings: Settings) -> Middleware:
    """After authentication: the GraphQL request's shape, checked before the view parses it
    (so callers without a valid key never make us read a body)."""
    max_operations = settings.max_operations_per_request

    @web.middleware
    async def check_shape(request: web.Request, handler: Handler) -> web.StreamResponse:
        if request.path == GRAPHQL_PATH and auth.TENANT in request:
            await _check_request(request, max_operations)
        return await handler(request)

    return check_shape
