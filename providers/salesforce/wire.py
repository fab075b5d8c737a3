"""Salesforce reply shapes (lenient): SaveResults and SOQL query pages."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from providers.wire import WireModel


class SaveError(WireModel):
    status_code: str = Field(default="UNKNOWN_EXCEPTION", alias="statusCode")
    message: str = ""
    fields: list[str] = []


class SaveResult(WireModel):
    """One record's outcome in an sObject Collections reply (input order)."""

    id: str | None = None
    success: bool = False
    errors: list[SaveError] = []


class QueryPage(WireModel):
    total_size: int = Field(default=0, alias="totalSize")
    done: bool = True
    next_records_url: str | None = Field(default=None, alias="nextRecordsUrl")
    records: list[dict[str, Any]] = []
