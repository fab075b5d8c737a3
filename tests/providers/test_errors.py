"""error_from_response: each provider's status and body to one node of the error tree."""

from __future__ import annotations

import pytest

from providers import errors as pe

HUBSPOT_429 = {
    "status": "error",
    "message": "You have reached your ten_secondly_rolling limit.",
    "errorType": "RATE_LIMIT",
    "correlationId": "c-1",
    "policyName": "TEN_SECONDLY_ROLLING",
}


@pytest.mark.parametrize(
    ("provider", "status", "headers", "body", "kind", "request_id"),
    [
        (
            "hubspot",
            401,
            {},
            {"message": "bad token", "correlationId": "c-2"},
            pe.AuthFailed,
            "c-2",
        ),
        (
            "hubspot",
            404,
            {},
            {"message": "no such contact", "category": "OBJECT_NOT_FOUND"},
            pe.NotFound,
            None,
        ),
        ("hubspot", 409, {}, {"message": "conflict"}, pe.Conflict, None),
        ("hubspot", 429, {"Retry-After": "2"}, HUBSPOT_429, pe.RateLimited, "c-1"),
        (
            "hubspot",
            400,
            {},
            {"message": "bad", "category": "VALIDATION_ERROR"},
            pe.InvalidRequest,
            None,
        ),
        ("hubspot", 502, {}, "<html>bad gateway</html>", pe.Unavailable, None),
        ("hubspot", 503, {"X-HubSpot-Correlation-Id": "h-9"}, None, pe.Unavailable, "h-9"),
        (
            "leadconnector",
            400,
            {},
            {
                "statusCode": 400,
                "message": "Could not create relation: duplicate relation of object Ids "
                "for given association a1",
            },
            pe.AlreadyExists,
            None,
        ),
        (
            "leadconnector",
            400,
            {},
            {"statusCode": 400, "message": "association not found"},
            pe.InvalidRequest,
            None,
        ),
        (
            "leadconnector",
            422,
            {},
            {
                "statusCode": 422,
                "message": ["locationId must be a string"],
                "error": "Unprocessable Entity",
            },
            pe.InvalidRequest,
            None,
        ),
        (
            "leadconnector",
            401,
            {},
            {"statusCode": 401, "message": "Invalid JWT", "error": "Unauthorized"},
            pe.AuthFailed,
            None,
        ),
        (
            "salesforce",
            401,
            {},
            [{"message": "Session expired or invalid", "errorCode": "INVALID_SESSION_ID"}],
            pe.AuthFailed,
            None,
        ),
        (
            "salesforce",
            403,
            {"Sforce-Call-Id": "sf-1"},
            [{"message": "TotalRequests Limit exceeded.", "errorCode": "REQUEST_LIMIT_EXCEEDED"}],
            pe.RateLimited,
            "sf-1",
        ),
        (
            "salesforce",
            400,
            {},
            [{"message": "bad soql", "errorCode": "MALFORMED_QUERY"}],
            pe.InvalidRequest,
            None,
        ),
        ("salesforce", 302, {}, None, pe.WireFormatError, None),
    ],
)
def test_status_and_body_map_to_one_error(provider, status, headers, body, kind, request_id):
    error = pe.error_from_response(provider, status, headers, body)
    assert type(error) is kind
    assert error.provider == provider
    assert error.status == status
    assert error.request_id == request_id
    assert error.message


def test_rate_limit_scope_and_wait():
    burst = pe.error_from_response("hubspot", 429, {"Retry-After": "2"}, HUBSPOT_429)
    assert isinstance(burst, pe.RateLimited)
    assert (burst.scope, burst.retry_after) == ("burst", 2.0)
    daily = pe.error_from_response("hubspot", 429, {}, {**HUBSPOT_429, "policyName": "DAILY"})
    assert isinstance(daily, pe.RateLimited)
    assert daily.scope == "daily"
    sf = pe.error_from_response(
        "salesforce", 403, {}, [{"message": "x", "errorCode": "REQUEST_LIMIT_EXCEEDED"}]
    )
    assert isinstance(sf, pe.RateLimited)
    assert (sf.scope, sf.retry_after) == ("daily", None)


@pytest.mark.parametrize(
    ("headers", "wait"),
    [
        ({"Retry-After": "3"}, 3.0),
        ({"Retry-After": "soon"}, None),
        ({"X-HubSpot-RateLimit-Interval-Milliseconds": "10000"}, 10.0),
        ({"X-RateLimit-Interval-Milliseconds": "500"}, 0.5),
        ({}, None),
    ],
)
def test_retry_after_falls_back_on_interval_headers(headers, wait):
    assert pe.retry_after_seconds(headers) == wait
