"""Automatic persisted queries: Apollo's protocol, also spoken by urql's ``persistedExchange``.

A client sends ``extensions.persistedQuery = {"version": 1, "sha256Hash": <hex>}``, first without
the query. An unknown hash answers ``PersistedQueryNotFound`` (``PERSISTED_QUERY_NOT_FOUND``),
the client sends the hash again with the query, and the server keeps the query under its hash
(once it has checked that the hash is the query's). From then on the hash alone runs it, over
POST or GET (GET stays query-only: the view refuses a mutation there).

Documents are kept behind ``PersistedQueryStore`` so replicas can share them (a Redis store
plugs in there); ``MemoryPersistedQueries`` is the in-process LRU.

Modes (``CRMGRAPH_PERSISTED_QUERIES``): ``on`` (the protocol above), ``off`` (a hash answers
``PersistedQueryNotSupported``, so clients stop sending hashes) and ``known`` (only documents
already in the store run, sent by hash or in full: nothing new is stored, so the store holds
what ``CRMGRAPH_PERSISTED_QUERIES_MANIFEST`` registered at start-up).
"""

from __future__ import annotations

import enum
import hashlib
import json
from collections import OrderedDict
from pathlib import Path
from typing import Any, Protocol

from gql.errors import ApiError, Code

PROTOCOL_VERSION = 1
# Longer documents still run, they are just not kept: the LRU bounds entries, this their size.
MAX_STORED_CHARS = 100_000


class PersistedQueryStore(Protocol):
    """Documents by the sha256 (lowercase hex) of their text."""

    async def get(self, sha256: str) -> str | None: ...

    async def put(self, sha256: str, query: str) -> None: ...


class MemoryPersistedQueries:
    """An LRU of at most ``max_entries`` documents, for one process."""

    def __init__(self, max_entries: int) -> None:
        if max_entries < 1:
            raise ValueError("max_entries must be at least 1")
        self.max_entries = max_entries
        self._documents: OrderedDict[str, str] = OrderedDict()

    def __len__(self) -> int:
        return len(self._documents)

    async def get(self, sha256: str) -> str | None:
        query = self._documents.get(sha256)
        if query is not None:
            self._documents.move_to_end(sha256)
        return query

    async def put(self, sha256: str, query: str) -> None:
        self._documents[sha256] = query
        self._documents.move_to_end(sha256)
        while len(self._documents) > self.max_entries:
            self._documents.popitem(last=False)


class Mode(enum.StrEnum):
    ON = "on"
    OFF = "off"
    KNOWN = "known"


def sha256_hex(query: str) -> str:
    return hashlib.sha256(query.encode()).hexdigest()


def requested_hash(extensions: dict[str, Any] | None) -> str | None:
    """The hash a request names, or None when it uses no persisted query."""
    persisted = (extensions or {}).get("persistedQuery")
    if persisted is None:
        return None
    if not isinstance(persisted, dict):
        raise ApiError(Code.BAD_REQUEST, "extensions.persistedQuery must be an object")
    if persisted.get("version") != PROTOCOL_VERSION:
        raise ApiError(
            Code.BAD_REQUEST,
            f"extensions.persistedQuery.version must be {PROTOCOL_VERSION}",
        )
    sha = persisted.get("sha256Hash")
    if not isinstance(sha, str) or len(sha) != 64:
        raise ApiError(
            Code.BAD_REQUEST,
            "extensions.persistedQuery.sha256Hash must be 64 hex digits (the query's sha256)",
        )
    return sha.lower()


class PersistedQueries:
    """The protocol's decisions, before a document runs."""

    def __init__(self, store: PersistedQueryStore, mode: Mode) -> None:
        self.store = store
        self.mode = mode

    async def document(self, query: str | None, extensions: dict[str, Any] | None) -> str | None:
        """The document to run; raises ``ApiError`` when the request may not run.

        ``None`` (no query, no hash) is left to the view, which refuses it as before.
        """
        sha = requested_hash(extensions)
        if sha is None:
            if query is not None and self.mode is Mode.KNOWN:
                await self._require_registered(sha256_hex(query))
            return query
        if self.mode is Mode.OFF:
            raise ApiError(Code.PERSISTED_QUERY_NOT_SUPPORTED, "PersistedQueryNotSupported")
        if not query:  # the hash alone (or with an empty query)
            stored = await self.store.get(sha)
            if stored is None:
                # The message is the protocol: Apollo Client and urql match it to retry.
                raise ApiError(Code.PERSISTED_QUERY_NOT_FOUND, "PersistedQueryNotFound")
            return stored
        if sha256_hex(query) != sha:
            raise ApiError(
                Code.PERSISTED_QUERY_HASH_MISMATCH,
                "extensions.persistedQuery.sha256Hash is not the sha256 of the query: "
                "nothing was run or stored",
            )
        if self.mode is Mode.KNOWN:
            await self._require_registered(sha)
        return query

    async def _require_registered(self, sha: str) -> None:
        if await self.store.get(sha) is None:
            raise ApiError(
                Code.PERSISTED_QUERY_NOT_REGISTERED,
                "only registered documents run here (CRMGRAPH_PERSISTED_QUERIES=known): "
                "this one is not in the manifest",
            )

    async def remember(self, query: str, extensions: dict[str, Any] | None) -> None:
        """Keeps a document that ran under its hash (only ``on`` stores new documents)."""
        if (
            self.mode is Mode.ON
            and len(query) <= MAX_STORED_CHARS
            and requested_hash(extensions) is not None
        ):
            await self.store.put(sha256_hex(query), query)


def load_manifest(path: Path) -> dict[str, str]:
    """hash -> document from an Apollo persisted-query manifest
    (``{"format": "apollo-persisted-query-manifest", "operations": [{"id", "body"}]}``, as
    ``@apollo/generate-persisted-query-manifest`` writes it) or a plain ``{hash: document}``
    map. Each hash must be its document's sha256: a wrong entry stops start-up."""
    data = json.loads(path.read_text())
    if isinstance(data, dict) and isinstance(data.get("operations"), list):
        pairs = [(op.get("id"), op.get("body")) for op in data["operations"]]
    elif isinstance(data, dict):
        pairs = list(data.items())
    else:
        raise ValueError(f"{path}: expected a JSON object")
    documents: dict[str, str] = {}
    for sha, body in pairs:
        if not isinstance(sha, str) or not isinstance(body, str) or sha256_hex(body) != sha:
            raise ValueError(f"{path}: entry {sha!r} is not the sha256 of its document")
        documents[sha] = body
    return documents
