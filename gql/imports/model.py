"""Import jobs and their items, provider-neutral."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime


class ImportStatus(enum.Enum):
    PENDING = "PENDING"
    PROCESSING = "PROCESSING"
    COMPLETE = "COMPLETE"
    CANCELED = "CANCELED"
    FAILED = "FAILED"

    @property
    def final(self) -> bool:
        return self in (ImportStatus.COMPLETE, ImportStatus.CANCELED, ImportStatus.FAILED)


class ItemState(enum.IntEnum):
    PENDING = 0
    SENT = 1  # handed to the provider; its outcome is not recorded yet
    SUCCEEDED = 2
    FAILED = 3


@dataclass(frozen=True)
class ImportItem:
    """One input: a pair of record ids and the association type, or a refused CSV row."""

    position: int
    from_id: str
    to_id: str
    type: str
    line: int | None = None
    state: ItemState = ItemState.PENDING
    code: str | None = None
    message: str | None = None


@dataclass(frozen=True)
class ImportJob:
    id: str
    tenant: str
    integration_id: str
    from_type: str
    to_type: str
    status: ImportStatus
    total: int
    processed: int
    succeeded: int
    failed: int
    next_position: int
    cancel_requested: bool
    created_at: datetime
    started_at: datetime | None = None
    completed_at: datetime | None = None
    error_code: str | None = None
    error_message: str | None = None


@dataclass(frozen=True)
class Outcome:
    """What became of one sent item: ``code`` is None when it succeeded."""

    position: int
    code: str | None = None
    message: str | None = None
