"""The federated schema: root types composed from per-domain mixins."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import strawberry
from graphql import GraphQLError
from strawberry.extensions import (
    AddValidationRules,
    DisableIntrospection,
    MaxAliasesLimiter,
    MaxTokensLimiter,
    ParserCache,
    QueryDepthLimiter,
    SchemaExtension,
)
from strawberry.federation.schema import FederationAny
from strawberry.schema.config import StrawberryConfig
from strawberry.types.info import Info

from gql import fast_inputs
from gql.document_limits import CachedValidation, DocumentLimits
from gql.errors import ApiError, Code
from gql.fast_results import FastListExecutionContext
from gql.resolvers.associations import AssociationMutations
from gql.resolvers.capabilities import CapabilityQueries
from gql.resolvers.integrations import IntegrationMutations, IntegrationQueries
from gql.resolvers.records import RecordQueries
from gql.resolvers.relations import RelationMutations
from gql.settings import Settings
from gql.types.records import CrmRecord


@strawberry.type(
    description="Reads: your CRM integrations, CRM records and their associations, "
    "association types and what each provider supports. Every field needs Authorization: "
    "Bearer <api key>."
)
class Query(IntegrationQueries, RecordQueries, CapabilityQueries):
    pass


@strawberry.type(
    description="Writes: register CRM connections, and create associations in the CRM they "
    "connect to. Each takes an integrationId and calls only that integration's provider."
)
class Mutation(IntegrationMutations, AssociationMutations, RelationMutations):
    pass


class CrmGraphSchema(strawberry.federation.Schema):
    def process_errors(self, errors: list[GraphQLError], execution_context: Any = None) -> None:
        # Expected errors are answers, not incidents; ErrorCodes logs the unexpected ones.
        return None

    def entities_resolver(
        self, info: Info, representations: list[FederationAny]
    ) -> list[FederationAny]:
        # Strawberry fails with a KeyError on an unknown __typename: refuse it as bad input.
        known = {"CrmIntegration", "CrmRecord"}
        for n, rep in enumerate(representations):
            if not isinstance(rep, dict) or rep.get("__typename") not in known:
                raise ApiError(
                    Code.BAD_USER_INPUT,
                    f"representations[{n}] needs a __typename of {sorted(known)}",
                    field="representations",
                )
        return super().entities_resolver(info, representations)


def build_schema(
    settings: Settings | None = None,
    extensions: Sequence[Callable[[], SchemaExtension]] = (),
) -> CrmGraphSchema:
    """``extensions``: factories added after ours (observability: metrics, spans)."""
    settings = settings or Settings()
    limit_rules = [
        *QueryDepthLimiter(max_depth=settings.max_query_depth).validation_rules,
        *MaxAliasesLimiter(max_alias_count=settings.max_aliases).validation_rules,
    ]
    # Factories, not instances: Strawberry builds fresh extensions for every request.
    ours: list[Callable[[], SchemaExtension] | type[SchemaExtension]] = [
        # First: it refuses what would make the limiters below expensive.
        lambda: DocumentLimits(
            max_expanded_fields=settings.max_expanded_fields,
            max_mutation_aliases=settings.max_mutation_aliases,
        ),
        # Rule classes built once: a limiter made per request makes new classes, and every
        # request would be new to the validation cache below.
        lambda: AddValidationRules(limit_rules),
        lambda: MaxTokensLimiter(max_token_count=settings.max_tokens),
        # Its LRU cache lives at module level, shared by every request: a document seen
        # before is not parsed again.
        lambda: ParserCache(maxsize=256),
        # Validation depends only on the document (variables are checked at execution), so
        # a document validated once is valid again: clients send the same few with variables.
        lambda: CachedValidation(maxsize=256),
    ]
    if not settings.introspection:
        ours.append(DisableIntrospection)
    schema = CrmGraphSchema(
        query=Query,
        types=[CrmRecord],
        mutation=Mutation,
        extensions=[*ours, *extensions],
        execution_context_class=FastListExecutionContext,
        config=StrawberryConfig(
            batching_config={"max_operations": settings.max_operations_per_request}
        ),
    )
    converter = schema.schema_converter
    fast_inputs.install(
        (t.definition for t in converter.type_map.values()), converter.scalar_registry
    )
    return schema


def export_sdl() -> str:
    return build_schema().as_str() + "\n"
