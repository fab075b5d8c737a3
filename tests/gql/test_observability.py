"""Label bounds, request id acceptance and document redaction."""

from __future__ import annotations

import json
import logging
from datetime import datetime

from gql.observability.logging import configure_logging, request_id, request_id_from
from gql.observability.metrics import OperationNames
from gql.observability.tracing import harmless_args, redacted_document


def test_operation_names_are_bounded():
    names = OperationNames(limit=2)
    assert [names.label(n) for n in ("A", "B", "C", "A", None, "x y")] == [
        "A",
        "B",
        "other",
        "A",
        "anonymous",
        "other",
    ]


def test_request_ids_from_callers_are_short_safe_tokens():
    assert request_id_from("abc-123_x.y:z") == "abc-123_x.y:z"
    for bad in ("", "a b", "x\ny", "é", "a" * 129, None):
        made = request_id_from(bad)
        assert made != bad
        assert len(made) == 32


def test_documents_lose_their_literals():
    document = 'mutation { a(token: "s3cr\\"et", note: """multi\nline "x" """) { id } }'
    assert redacted_document(document) == 'mutation { a(token: "***", note: "***") { id } }'


def test_only_harmless_scalar_arguments_are_traced():
    args = {"integrationId": "1", "first": 3, "input": {"credentials": {}}, "idempotencyKey": "k"}
    assert harmless_args(args, None) == {"integrationId": "1", "first": 3}  # type: ignore[arg-type]


def test_configure_logging_writes_json_lines_with_the_request_id(capsys):
    root = logging.getLogger()
    kept, level = list(root.handlers), root.level
    try:
        configure_logging("json", "debug")
        token = request_id.set("rid-9")
        try:
            logging.getLogger("gql.test").debug("hello", extra={"provider": "hubspot"})
        finally:
            request_id.reset(token)
        logging.getLogger("gql.test").warning("outside")
    finally:
        for handler in list(root.handlers):
            root.removeHandler(handler)
        for handler in kept:
            root.addHandler(handler)
        root.setLevel(level)
    first, second = (json.loads(line) for line in capsys.readouterr().err.splitlines())
    assert first["message"] == "hello"
    assert (first["level"], first["logger"], first["request_id"]) == ("DEBUG", "gql.test", "rid-9")
    assert first["provider"] == "hubspot"
    assert second["request_id"] == "-"
    assert datetime.fromisoformat(first["time"]).tzinfo is not None
