"""Every HubSpot URL path the client calls, by API version: the one place a path is spelled.

``2026-09`` (the default) is HubSpot's current date-versioned API; ``legacy`` keeps the v3
batch create and the v4 associations paths (v4 goes unsupported on 2027-03-30, v1-v3 in
September 2027: ../shared/specs/README.md). Each ``Endpoint`` also carries what its spec says
beside the path: whether it is tagged ``x-hubspot-rate-limit-exemptions: ["ten-secondly"]``
(such calls take no place in the ten-second window, only in the daily quota), and the largest
batch HubSpot documents for it. ``template`` is the spec's own path key, so a test can hold
both facts against ../shared/specs/hubspot.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal
from urllib.parse import quote

ApiVersion = Literal["2026-09", "legacy"]
API_VERSIONS: tuple[ApiVersion, ...] = ("2026-09", "legacy")
DEFAULT_API_VERSION: ApiVersion = "2026-09"

# Documented batch maxima: 100 inputs for the v3 create (HubSpot's safe figure), 2,000 for
# the v4 and date-versioned create and associate default, 1,000 ids for a batch read
# (changelog 2025-02-10).
V3_CREATE_MAX = 100
V4_WRITE_MAX = 2_000
READ_MAX = 1_000
OBJECTS_READ_MAX = 100  # the CRM objects batch read


@dataclass(frozen=True)
class Endpoint:
    """One HubSpot operation: the path to call and what its spec says about it."""

    method: str
    template: str  # the spec's path key, e.g. /crm/v4/associations/{fromObjectType}/...
    path: str  # the template with this call's values, each URL-quoted
    ten_secondly_exempt: bool = False
    max_inputs: int | None = None  # the documented largest batch; None: not a batch


def _fill(template: str, **values: str) -> str:
    path = template
    for name, value in values.items():
        path = path.replace("{" + name + "}", quote(value, safe=""))
    return path


class HubSpotPaths:
    """The endpoints of one API version."""

    def __init__(self, version: ApiVersion = DEFAULT_API_VERSION) -> None:
        if version not in API_VERSIONS:
            raise ValueError(f"unknown HubSpot API version {version!r}: use one of {API_VERSIONS}")
        self.version: ApiVersion = version

    @property
    def dated(self) -> bool:
        """The date-versioned API: batch create takes ``types`` (category and id), not names."""
        return self.version != "legacy"

    def _associations(self, tail: str) -> str:
        if self.dated:
            return f"/crm/associations/{self.version}/{{fromObjectType}}/{{toObjectType}}{tail}"
        return f"/crm/v4/associations/{{fromObjectType}}/{{toObjectType}}{tail}"

    @staticmethod
    def _pair(
        method: str,
        template: str,
        from_type: str,
        to_type: str,
        *,
        exempt: bool,
        max_inputs: int | None = None,
    ) -> Endpoint:
        path = _fill(template, fromObjectType=from_type, toObjectType=to_type)
        return Endpoint(method, template, path, exempt, max_inputs)

    # https://developers.hubspot.com/docs/api-reference/crm-associations-v3/batch/post-crm-v3-associations-fromObjectType-toObjectType-batch-create
    def batch_create(self, from_type: str, to_type: str) -> Endpoint:
        if self.dated:
            template, largest = self._associations("/batch/create"), V4_WRITE_MAX
        else:
            template = "/crm/v3/associations/{fromObjectType}/{toObjectType}/batch/create"
            largest = V3_CREATE_MAX
        return self._pair("POST", template, from_type, to_type, exempt=True, max_inputs=largest)

    # https://developers.hubspot.com/docs/api-reference/crm-associations-v4/batch/post-crm-v4-associations-fromObjectType-toObjectType-batch-associate-default
    def associate_default(self, from_type: str, to_type: str) -> Endpoint:
        template = self._associations("/batch/associate/default")
        return self._pair(
            "POST", template, from_type, to_type, exempt=True, max_inputs=V4_WRITE_MAX
        )

    # https://developers.hubspot.com/docs/api-reference/crm-associations-v4/batch/post-crm-v4-associations-fromObjectType-toObjectType-batch-read
    def batch_read(self, from_type: str, to_type: str) -> Endpoint:
        template = self._associations("/batch/read")
        return self._pair("POST", template, from_type, to_type, exempt=True, max_inputs=READ_MAX)

    # https://developers.hubspot.com/docs/api-reference/crm-associations-schema-v4/labels/get-crm-v4-associations-fromObjectType-toObjectType-labels
    def labels(self, from_type: str, to_type: str) -> Endpoint:
        # The 2026-09 schema spec tags its labels endpoint exempt; the v4 labels spec does not.
        return self._pair(
            "GET", self._associations("/labels"), from_type, to_type, exempt=self.dated
        )

    def _objects(self) -> str:
        return f"/crm/objects/{self.version}" if self.dated else "/crm/v4/objects"

    # https://developers.hubspot.com/docs/api-reference/crm-associations-v4/basic/put-crm-v4-objects-fromObjectType-fromObjectId-associations-default-toObjectType-toObjectId
    def put_default(self, from_type: str, from_id: str, to_type: str, to_id: str) -> Endpoint:
        template = (
            self._objects() + "/{fromObjectType}/{fromObjectId}/associations/default"
            "/{toObjectType}/{toObjectId}"
        )
        path = _fill(
            template,
            fromObjectType=from_type,
            fromObjectId=from_id,
            toObjectType=to_type,
            toObjectId=to_id,
        )
        return Endpoint("PUT", template, path)

    # https://developers.hubspot.com/docs/api-reference/crm-objects/batch/post-crm-v3-objects-objectType-batch-read
    def objects_batch_read(self, object_type: str) -> Endpoint:
        """Records by id (which exist): ``/crm/v3/objects`` on legacy, as v4 has none."""
        base = f"/crm/objects/{self.version}" if self.dated else "/crm/v3/objects"
        template = base + "/{objectType}/batch/read"
        path = _fill(template, objectType=object_type)
        return Endpoint("POST", template, path, max_inputs=OBJECTS_READ_MAX)

    # https://developers.hubspot.com/docs/api-reference/crm-associations-v4/basic/put-crm-v4-objects-objectType-objectId-associations-toObjectType-toObjectId
    def put_labelled(self, from_type: str, from_id: str, to_type: str, to_id: str) -> Endpoint:
        """A labelled association: the body is a list of ``{associationCategory, ...TypeId}``."""
        template = (
            self._objects() + "/{objectType}/{objectId}/associations/{toObjectType}/{toObjectId}"
        )
        path = _fill(
            template, objectType=from_type, objectId=from_id, toObjectType=to_type, toObjectId=to_id
        )
        return Endpoint("PUT", template, path)


def _every(paths: HubSpotPaths) -> list[Endpoint]:
    return [
        paths.batch_create("-", "-"),
        paths.put_default("-", "-", "-", "-"),
        paths.put_labelled("-", "-", "-", "-"),
        paths.associate_default("-", "-"),
        paths.batch_read("-", "-"),
        paths.labels("-", "-"),
        paths.objects_batch_read("-"),
    ]


# Every path template of both versions (metrics name a call by its template).
ROUTE_TEMPLATES: tuple[str, ...] = tuple(
    e.template for version in API_VERSIONS for e in _every(HubSpotPaths(version))
)

__all__ = [
    "API_VERSIONS",
    "DEFAULT_API_VERSION",
    "ROUTE_TEMPLATES",
    "ApiVersion",
    "Endpoint",
    "HubSpotPaths",
]
