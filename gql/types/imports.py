"""Association imports: the job, its input, and pages of its results and errors."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Annotated

import strawberry
from strawberry.file_uploads import Upload

from gql.context import Info
from gql.errors import bad_input
from gql.imports import model
from gql.types.associations import AssociationInput
from gql.types.common import RecordRef

MAX_PAGE = 1000


@strawberry.enum(description="Where an import is in its life.")
class AssociationImportStatus(enum.Enum):
    PENDING = strawberry.enum_value("PENDING", description="Stored; no window sent yet.")
    PROCESSING = strawberry.enum_value("PROCESSING", description="Windows are being sent.")
    COMPLETE = strawberry.enum_value(
        "COMPLETE", description="Every input has its outcome (some may have failed)."
    )
    CANCELED = strawberry.enum_value(
        "CANCELED", description="Stopped between windows on request; the rest was not sent."
    )
    FAILED = strawberry.enum_value(
        "FAILED",
        description="Stopped for a reason not about the items (see `errorCode`); every "
        "input not sent is in `errors` with that reason.",
    )


@strawberry.input(
    description="What to import: `inputs` (as batchCreateAssociations takes them) or a CSV "
    "`file`, exactly one of the two."
)
class AssociationImportInput:
    from_object_type: str = strawberry.field(
        description="The object type every input's `from` record has (contacts)."
    )
    to_object_type: str = strawberry.field(
        description="The object type every input's `to` record has (companies)."
    )
    inputs: list[AssociationInput] | None = strawberry.field(
        default=None, description="The associations to create, as batchCreateAssociations."
    )
    file: Upload | None = strawberry.field(
        default=None,
        description="A CSV file (GraphQL multipart request): a header row naming from_id, "
        "to_id and optionally type, then one association a row.",
    )
    type: str | None = strawberry.field(
        default=None, description="The association type of CSV rows that give none."
    )


@strawberry.type(description="An input the provider confirmed.")
class AssociationImportResult:
    index: int = strawberry.field(description="The input's position, from 0.")
    line: int | None = strawberry.field(description="Its CSV line (the header is line 1).")
    from_: RecordRef = strawberry.field(name="from", description="The from record.")
    to: RecordRef = strawberry.field(description="The to record.")
    type: str = strawberry.field(description="The association type.")

    @classmethod
    def from_domain(cls, i: model.ImportItem) -> AssociationImportResult:
        return cls(
            index=i.position,
            line=i.line,
            from_=RecordRef(id=strawberry.ID(i.from_id)),
            to=RecordRef(id=strawberry.ID(i.to_id)),
            type=i.type,
        )


@strawberry.type(description="An input that was not created, and why.")
class AssociationImportError:
    index: int = strawberry.field(description="The input's position, from 0.")
    line: int | None = strawberry.field(description="Its CSV line (the header is line 1).")
    from_: RecordRef | None = strawberry.field(
        name="from", description="The from record, when the input named one."
    )
    to: RecordRef | None = strawberry.field(description="The to record, when the input named one.")
    type: str | None = strawberry.field(description="The association type, when known.")
    code: str = strawberry.field(
        description="Why: BAD_ROW or BAD_USER_INPUT (refused before any call), the provider's "
        "error category, or the job's errorCode for inputs a FAILED job did not send."
    )
    message: str = strawberry.field(description="The reason, in words.")

    @classmethod
    def from_domain(cls, i: model.ImportItem) -> AssociationImportError:
        return cls(
            index=i.position,
            line=i.line,
            from_=RecordRef(id=strawberry.ID(i.from_id)) if i.from_id else None,
            to=RecordRef(id=strawberry.ID(i.to_id)) if i.to_id else None,
            type=i.type or None,
            code=i.code or "UPSTREAM_ERROR",
            message=i.message or "",
        )


@strawberry.type(description="A page of confirmed inputs, in input order.")
class AssociationImportResultPage:
    items: list[AssociationImportResult] = strawberry.field(description="This page.")
    end_cursor: str | None = strawberry.field(description="Pass as `after` for the next page.")
    has_next_page: bool = strawberry.field(description="Whether another page follows.")


@strawberry.type(description="A page of failed inputs, in input order.")
class AssociationImportErrorPage:
    items: list[AssociationImportError] = strawberry.field(description="This page.")
    end_cursor: str | None = strawberry.field(description="Pass as `after` for the next page.")
    has_next_page: bool = strawberry.field(description="Whether another page follows.")


async def _page(
    info: Info, job_id: str, state: model.ItemState, first: int, after: str | None
) -> tuple[list[model.ImportItem], str | None, bool]:
    """A page of the job's items in ``state``: the items, the end cursor, whether more follow.
    The cursor is the last item's position."""
    if not 1 <= first <= MAX_PAGE:
        raise bad_input(f"first must be between 1 and {MAX_PAGE}", field="first")
    if after is not None and (not after.isdigit() or len(after) > 9):
        raise bad_input("after is not a cursor this field gave", field="after")
    start = -1 if after is None else int(after)
    items, more = await info.context.imports.items(job_id, state, start, first)
    return items, str(items[-1].position) if items else after, more


_FIRST = strawberry.argument(description=f"Items in the page (at most {MAX_PAGE}).")
_AFTER = strawberry.argument(description="The endCursor of the page before.")


@strawberry.type(description="A bulk association import: a durable job with its progress.")
class AssociationImport:
    id: strawberry.ID = strawberry.field(description="The job's id.")
    integration_id: strawberry.ID = strawberry.field(description="The integration it writes to.")
    from_object_type: str = strawberry.field(description="The inputs' from object type.")
    to_object_type: str = strawberry.field(description="The inputs' to object type.")
    status: AssociationImportStatus = strawberry.field(description="Where the job is.")
    total: int = strawberry.field(description="Inputs accepted (rows read, for a file).")
    processed: int = strawberry.field(description="Inputs with an outcome: succeeded + failed.")
    succeeded: int = strawberry.field(description="Inputs the provider confirmed.")
    failed: int = strawberry.field(description="Inputs reported in `errors`.")
    cancel_requested: bool = strawberry.field(
        description="Whether cancelAssociationImport was called: the job stops between windows."
    )
    error_code: str | None = strawberry.field(description="Why a FAILED job stopped (a code).")
    error_message: str | None = strawberry.field(description="Why a FAILED job stopped.")
    created_at: datetime = strawberry.field(description="When the job was stored.")
    started_at: datetime | None = strawberry.field(description="When a runner first took it.")
    completed_at: datetime | None = strawberry.field(
        description="When it reached COMPLETE, CANCELED or FAILED."
    )

    @classmethod
    def from_domain(cls, j: model.ImportJob) -> AssociationImport:
        return cls(
            id=strawberry.ID(j.id),
            integration_id=strawberry.ID(j.integration_id),
            from_object_type=j.from_type,
            to_object_type=j.to_type,
            status=AssociationImportStatus(j.status.value),
            total=j.total,
            processed=j.processed,
            succeeded=j.succeeded,
            failed=j.failed,
            cancel_requested=j.cancel_requested,
            error_code=j.error_code,
            error_message=j.error_message,
            created_at=j.created_at,
            started_at=j.started_at,
            completed_at=j.completed_at,
        )

    @strawberry.field(description="The confirmed inputs, in input order.")
    async def results(
        self,
        info: Info,
        first: Annotated[int, _FIRST] = 100,
        after: Annotated[str | None, _AFTER] = None,
    ) -> AssociationImportResultPage:
        items, cursor, more = await _page(
            info, str(self.id), model.ItemState.SUCCEEDED, first, after
        )
        return AssociationImportResultPage(
            items=[AssociationImportResult.from_domain(i) for i in items],
            end_cursor=cursor,
            has_next_page=more,
        )

    @strawberry.field(description="The failed inputs, in input order, each with its reason.")
    async def errors(
        self,
        info: Info,
        first: Annotated[int, _FIRST] = 100,
        after: Annotated[str | None, _AFTER] = None,
    ) -> AssociationImportErrorPage:
        items, cursor, more = await _page(info, str(self.id), model.ItemState.FAILED, first, after)
        return AssociationImportErrorPage(
            items=[AssociationImportError.from_domain(i) for i in items],
            end_cursor=cursor,
            has_next_page=more,
        )
