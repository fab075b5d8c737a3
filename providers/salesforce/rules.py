"""Salesforce's input rules: record ids and the four standard objects (checked before calls)."""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

from providers.checks import shown
from providers.errors import BadInput, InvalidRequest
from providers.salesforce.mapping import check_id, entity_named, relationship_named

# Hosts Salesforce serves orgs from (My Domain, sandboxes, Experience Cloud, Government Cloud).
_SALESFORCE_HOSTS = (
    ".salesforce.com",
    ".force.com",
    ".cloudforce.com",
    ".database.com",
    ".salesforce-setup.com",
    ".sfcrmproducts.cn",
)


def validate_instance_url(url: str | None, *, allow_insecure: bool) -> str:
    """An org's instance URL, refusing anything but https on a Salesforce host.

    Integrations are created by API callers, so an arbitrary URL would let them make this
    server call loopback, private or cloud-metadata addresses (server-side request forgery).
    ``allow_insecure`` (CRMGRAPH_ALLOW_INSECURE_UPSTREAMS) is for local emulators only.
    """
    if not url:
        raise InvalidRequest("a Salesforce integration needs an instanceUrl", provider="salesforce")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InvalidRequest(
            f"instanceUrl {url[:100]!r} is not an http(s) URL", provider="salesforce"
        )
    if parts.username or parts.password:
        raise InvalidRequest("instanceUrl must not carry credentials", provider="salesforce")
    if allow_insecure:
        return url.rstrip("/")
    host = parts.hostname.lower().rstrip(".")
    try:
        ipaddress.ip_address(host)
        is_ip = True
    except ValueError:
        is_ip = False
    if parts.scheme != "https" or is_ip or not host.endswith(_SALESFORCE_HOSTS):
        raise InvalidRequest(
            f"instanceUrl must be https on a Salesforce host (such as "
            f"https://yourorg.my.salesforce.com), not {url[:100]!r}",
            provider="salesforce",
        )
    return f"https://{parts.netloc}".rstrip("/")


class SalesforceRules:
    provider = "salesforce"

    def object_type(self, value: str, what: str) -> str:
        if entity_named(value) is None:
            raise BadInput(
                f"{what} {shown(value)}: use accounts, contacts, opportunities or leads",
                field=what,
                provider=self.provider,
            )
        return value

    def record_id(self, value: str, what: str) -> str:
        try:
            return check_id(value, what)
        except InvalidRequest as exc:
            raise BadInput(exc.message, field=what, provider=self.provider) from None

    def association_type(self, value: str, what: str) -> str:
        if value != "default" and relationship_named(value) is None:
            raise BadInput(
                f"{what} {shown(value)} is not a Salesforce relationship: use default or an id "
                "from associationLabels",
                field=what,
                provider=self.provider,
            )
        return value


RULES = SalesforceRules()
