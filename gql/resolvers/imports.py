"""Association imports: start, read, cancel, and follow a job."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from typing import Annotated, Any

import strawberry

from gql import validation as check
from gql.context import Info
from gql.errors import ApiError, Code, bad_input
from gql.imports.creation import batch_creation, check_item
from gql.imports.csv_input import read_items
from gql.imports.model import ImportItem, ImportJob
from gql.resolvers.connect import enabled
from gql.types.associations import AssociationInput
from gql.types.imports import AssociationImport, AssociationImportInput
from providers import registry
from providers.domain import CrmProvider

_ID = strawberry.argument(description="The import's id, as startAssociationImport answered.")


def _from_inputs(provider: CrmProvider, inputs: list[AssociationInput]) -> list[ImportItem]:
    items = []
    for n, i in enumerate(inputs):
        from_id, to_id = str(i.from_.id), str(i.to.id)
        reason = check_item(provider, from_id, to_id, i.type)
        if reason is None:
            items.append(ImportItem(n, from_id, to_id, i.type))
        else:  # a bad input fails alone, like a bad CSV row
            items.append(
                ImportItem.refused(
                    n, Code.BAD_USER_INPUT.value, f"inputs[{n}]: {reason}", from_id, to_id, i.type
                )
            )
    return items


def _read_file(file: Any) -> bytes:
    data = file.read() if hasattr(file, "read") else file
    if not isinstance(data, bytes):
        raise bad_input("file must be a file part of a multipart request", field="file")
    return data


async def _mine(info: Info, id_: strawberry.ID) -> ImportJob:
    job = await info.context.imports.get(info.context.tenant, str(id_))
    if job is None:
        raise ApiError(Code.NOT_FOUND, f"no association import with id {check.shown(str(id_))}")
    return job


@strawberry.type
class ImportQueries:
    @strawberry.field(
        description="An association import of yours, with its progress; null when unknown."
    )
    async def association_import(
        self, info: Info, id: Annotated[strawberry.ID, _ID]
    ) -> AssociationImport | None:
        job = await info.context.imports.get(info.context.tenant, str(id))
        return AssociationImport.from_domain(job) if job is not None else None


@strawberry.type
class ImportMutations:
    @strawberry.mutation(
        description="Start a durable bulk import of associations; answers at once with the "
        "job (follow it with associationImport or associationImportProgress)."
    )
    async def start_association_import(
        self,
        info: Info,
        integration_id: Annotated[
            strawberry.ID, strawberry.argument(description="The integration to write to.")
        ],
        input: Annotated[
            AssociationImportInput, strawberry.argument(description="What to import.")
        ],
    ) -> AssociationImport:
        if (input.inputs is None) == (input.file is None):
            raise bad_input("give exactly one of input.inputs and input.file", field="input")
        found = await enabled(info, str(integration_id))
        provider = found[0].provider
        # UNSUPPORTED_PROVIDER here, before anything is stored, for a CRM without batch create.
        batch_creation(info.context.transport, found)
        rules = registry.rules(provider)
        from_type = rules.object_type(input.from_object_type, "fromObjectType")
        to_type = rules.object_type(input.to_object_type, "toObjectType")
        limit = info.context.settings.max_import_inputs
        if input.inputs is not None:
            check.batch_size(input.inputs, "input.inputs", limit)
            items = _from_inputs(provider, input.inputs)
        else:
            items = read_items(
                _read_file(input.file),
                input.type,
                limit,
                lambda f, t, ty: check_item(provider, f, t, ty),
            )
            if not items:
                raise bad_input("the file has a header row but no data rows", field="file")
        job = await info.context.imports.create(
            info.context.tenant, found[0].id, from_type, to_type, items
        )
        # Inputs refused before any call are outcomes too.
        if job.failed:
            info.context.runner.count("failed", job.failed)
        await info.context.runner.submit(job.id)
        return AssociationImport.from_domain(job)

    @strawberry.mutation(
        description="Stop an import between windows; what was sent stays. A finished job is "
        "answered as it is."
    )
    async def cancel_association_import(
        self, info: Info, id: Annotated[strawberry.ID, _ID]
    ) -> AssociationImport:
        await _mine(info, id)
        job = await info.context.imports.request_cancel(info.context.tenant, str(id))
        assert job is not None
        return AssociationImport.from_domain(job)


@strawberry.type
class ImportSubscriptions:
    @strawberry.subscription(
        description="An import's progress: the job now, then each time it moves, until it "
        "is COMPLETE, CANCELED or FAILED."
    )
    async def association_import_progress(
        self, info: Info, id: Annotated[strawberry.ID, _ID]
    ) -> AsyncGenerator[AssociationImport, None]:
        # Checked before the stream starts, so an unknown id is an error, not an empty stream.
        job = await _mine(info, id)
        return _progress(info, job)


async def _progress(info: Info, job: ImportJob) -> AsyncGenerator[AssociationImport, None]:
    context = info.context
    yield AssociationImport.from_domain(job)
    while not job.status.final:
        # Woken by this process's runner; a job another replica runs is polled.
        await context.runner.wait(job.id, context.settings.import_poll_seconds)
        latest = await context.imports.job(job.id)
        if latest != job:
            job = latest
            yield AssociationImport.from_domain(job)
