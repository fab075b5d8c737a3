"""The registry answers a capability per connection, or Unsupported without any call."""

from __future__ import annotations

import aiohttp
import pytest

from providers import registry
from providers.base import HttpTransport
from providers.capabilities import ASSOCIATION_READS, Capability
from providers.domain import Connection, Credentials, CrmProvider
from providers.errors import BadInput


async def test_every_provider_reads_associations_and_an_unknown_capability_is_unsupported():
    async with aiohttp.ClientSession() as session:
        transport = HttpTransport(session)
        for provider in CrmProvider:
            connection = Connection("int-1", provider, Credentials("t"))
            reads = registry.implementation(ASSOCIATION_READS, transport, connection)
            assert callable(reads.read_associations)
            with pytest.raises(registry.Unsupported) as refused:
                registry.implementation(Capability[object]("noSuchThing"), transport, connection)
            assert "noSuchThing works on no integrations" in refused.value.message


@pytest.mark.parametrize(
    ("provider", "good", "bad"),
    [
        (CrmProvider.HUBSPOT, "123", "12a"),
        (CrmProvider.SALESFORCE, "003000000000001AAA", "003-bad"),
        (CrmProvider.LEADCONNECTOR, "demo-contact-1", "a b"),
    ],
)
def test_each_provider_checks_its_own_record_ids(provider, good, bad):
    rules = registry.rules(provider)
    assert rules.record_id(good, "id") == good
    with pytest.raises(BadInput) as refused:
        rules.record_id(bad, "inputs[3].from.id")
    assert refused.value.field == "inputs[3].from.id"
