"""The GraphiQL explorer (placeholder: Strawberry's CDN page until the offline one lands)."""

from __future__ import annotations

from aiohttp import web
from strawberry.http.ides import get_graphql_ide_html

from gql.settings import Settings


def page(settings: Settings) -> str:
    return get_graphql_ide_html(graphql_ide="graphiql")


def add_routes(app: web.Application) -> None:
    return None
