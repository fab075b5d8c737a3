"""Wire-level emulators of the HubSpot, Salesforce and HighLevel (LeadConnector) APIs.

In-process `aiohttp.web` applications used by the provider-client tests (real HTTP over
loopback) and by `crmgraph serve --sandbox`. Each provider module exposes a state class,
`create_app(state)` and `serve(state, host, port)`; `common.start(app)` serves any of them.
"""

from __future__ import annotations

from emulators.common import EmulatorState, RecordedCall, RunningEmulator, start
from emulators.faults import FaultKind, FaultPlan, FaultRule, parse_rule
from emulators.hubspot import HubSpotState
from emulators.leadconnector import LeadConnectorState
from emulators.salesforce import SalesforceState

__all__ = [
    "EmulatorState",
    "FaultKind",
    "FaultPlan",
    "FaultRule",
    "HubSpotState",
    "LeadConnectorState",
    "RecordedCall",
    "RunningEmulator",
    "SalesforceState",
    "parse_rule",
    "start",
]
