"""Checks on a parsed document that must run before validation, because validation itself
(Strawberry's depth and alias limiters) is what a hostile document would make expensive."""

from __future__ import annotations

from collections.abc import Iterator

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    InlineFragmentNode,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
)
from strawberry.extensions import SchemaExtension, ValidationCache

from gql.errors import Code


def expanded_size(document: DocumentNode, budget: int) -> int:
    """Fields the document selects once every fragment spread is expanded, counted with each
    fragment's size computed once (a chain of fragments spreading the next twice is 2^n
    fields, but n steps here). Stops counting past ``budget``."""
    fragments = {
        d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
    }
    sizes: dict[str, int] = {}

    def size(selection_set: SelectionSetNode | None, visiting: frozenset[str]) -> int:
        total = 0
        for selection in selection_set.selections if selection_set else ():
            if isinstance(selection, FieldNode):
                total += 1 + size(selection.selection_set, visiting)
            elif isinstance(selection, InlineFragmentNode):
                total += size(selection.selection_set, visiting)
            elif isinstance(selection, FragmentSpreadNode):
                name = selection.name.value
                if name in visiting or name not in fragments:
                    continue  # a cycle or an unknown fragment: validation reports it
                if name not in sizes:
                    sizes[name] = size(fragments[name].selection_set, visiting | {name})
                total += sizes[name]
            if total > budget:
                return total
        return total

    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    return sum(size(op.selection_set, frozenset()) for op in operations)


def _aliases(document: DocumentNode) -> int:
    """Aliased fields anywhere in the document, fragments included (each counted once)."""
    count = 0
    stack: list[SelectionSetNode] = [
        d.selection_set
        for d in document.definitions
        if isinstance(d, OperationDefinitionNode | FragmentDefinitionNode)
    ]
    while stack:
        for selection in stack.pop().selections:
            if isinstance(selection, FieldNode) and selection.alias is not None:
                count += 1
            if isinstance(selection, FieldNode | InlineFragmentNode) and selection.selection_set:
                stack.append(selection.selection_set)
    return count


def _has_mutation(document: DocumentNode) -> bool:
    return any(
        isinstance(d, OperationDefinitionNode) and d.operation is OperationType.MUTATION
        for d in document.definitions
    )


def _empty_selection(document: DocumentNode) -> bool:
    stack: list[SelectionSetNode] = [
        d.selection_set
        for d in document.definitions
        if isinstance(d, OperationDefinitionNode | FragmentDefinitionNode)
    ]
    while stack:
        selection_set = stack.pop()
        if not selection_set.selections:
            return True
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode | InlineFragmentNode) and selection.selection_set:
                stack.append(selection.selection_set)
    return False


class DocumentLimits(SchemaExtension):
    """Refuse, before validation runs: documents whose fragments expand past a budget, empty
    selection sets, several operations with no ``operationName`` to choose one, and mutation
    documents with more aliases than ``max_mutation_aliases``.

    Queries may alias more (``MaxAliasesLimiter``): a stitching gateway merges the root
    fields it delegates into one document, ``_0_crmIntegration: crmIntegration(...)`` and
    so on, and query fields share their provider calls through the loaders. Each aliased
    mutation may be a provider call of its own, so those keep the tighter budget.
    """

    def __init__(self, max_expanded_fields: int = 5_000, max_mutation_aliases: int = 30) -> None:
        super().__init__()
        self.max_expanded_fields = max_expanded_fields
        self.max_mutation_aliases = max_mutation_aliases

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        document = context.graphql_document
        if document is not None and context.pre_execution_errors is None:
            # Strawberry's operation_name falls back on the first operation's name; the
            # GraphQL spec wants an error when several could run and none is named.
            problem = self._problem(document, context._provided_operation_name)
            if problem is not None:
                code, message = problem
                # Set before validation runs: Strawberry then skips it (and its limiters).
                context.pre_execution_errors = [
                    GraphQLError(message, extensions={"code": code.value})
                ]
        yield

    def _problem(
        self, document: DocumentNode, operation_name: str | None
    ) -> tuple[Code, str] | None:
        if _empty_selection(document):
            return Code.GRAPHQL_PARSE_FAILED, "Syntax Error: a selection set is empty."
        operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
        if len(operations) > 1 and operation_name is None:
            return (
                Code.GRAPHQL_VALIDATION_FAILED,
                "The document has several operations: name the one to run in operationName.",
            )
        if _has_mutation(document) and _aliases(document) > self.max_mutation_aliases:
            return (
                Code.GRAPHQL_VALIDATION_FAILED,
                f"A document with a mutation may use at most {self.max_mutation_aliases} "
                "aliases: each aliased mutation can be a provider call of its own.",
            )
        if expanded_size(document, self.max_expanded_fields) > self.max_expanded_fields:
            return (
                Code.GRAPHQL_VALIDATION_FAILED,
                f"The document selects more than {self.max_expanded_fields} fields once its "
                "fragments are expanded.",
            )
        return None


class CachedValidation(ValidationCache):
    """Strawberry's validation cache, except for documents refused before validation.

    ``ValidationCache`` validates (and overwrites ``pre_execution_errors``) whatever ran
    before it, so a fragment bomb that ``DocumentLimits`` refused would be validated anyway:
    seconds of work for the limiters. Such a document keeps its refusal and is not validated.
    """

    def on_validate(self) -> Iterator[None]:
        if self.execution_context.pre_execution_errors is not None:
            yield
            return
        yield from super().on_validate()
