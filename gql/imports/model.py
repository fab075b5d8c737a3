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


_CELL = 200  # longest id or type kept from a refused input (the columns' width)


@dataclass(frozen=True, slots=True)  # a million of them may be in memory at the start
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

    @classmethod
    def refused(
        cls,
        position: int,
        code: str,
        reason: str,
        from_id: str = "",
        to_id: str = "",
        type_: str = "",
        line: int | None = None,
    ) -> ImportItem:
        """An input refused before any call: FAILED from the start, with its reason."""
        return cls(
            position,
            from_id[:_CELL],
            to_id[:_CELL],
            type_[:_CELL],
            line=line,
            state=ItemState.FAILED,
            code=code,
            message=reason,
        )


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
    run_id: str | None = None  # the run that holds it (gql/imports/runner.py)


@dataclass(frozen=True)
class Outcome:
    """What became of one sent item: ``code`` is None when it succeeded."""

    position: int
    code: str | None = None
    message: str | None = None
