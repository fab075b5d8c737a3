"""Demo data for `crmgraph serve --sandbox`: a few records with fixed, documented ids.

HubSpot (token SANDBOX_HUBSPOT_TOKEN)
    contacts 101 (Ada), 102 (Grace), 103 (Linus); companies 201 (Acme), 202 (Globex);
    deal 301; ticket 401.
    Pre-linked: contact 101 <-> company 201 (unlabeled + "Primary"), deal 301 <-> contact 101,
    deal 301 <-> company 201. Free to link: contacts 102 and 103, company 202, ticket 401.
    USER_DEFINED label contacts->companies "Billing contact".
Salesforce (token SANDBOX_SALESFORCE_TOKEN)
    Accounts 001000000000001AAA (Acme), 001000000000002AAA (Globex);
    Contacts 003000000000001AAA (Ada, Account 1), 003000000000002AAA and 003000000000003AAA
    (no account); Opportunity 006000000000001AAA (Account 1); Lead 00Q000000000001EAA;
    OpportunityContactRole 00K000000000001EAA (Opportunity 1 <-> Contact 1, primary);
    AccountContactRelation 07k000000000001AAA (Account 1 <-> Contact 1, direct).
LeadConnector (token SANDBOX_LEADCONNECTOR_TOKEN)
    location "demo-location"; association "demo-assoc-student": first object
    custom_objects.children ("Student"), second object contact ("Teacher");
    contacts demo-contact-1, demo-contact-2; children demo-child-1, demo-child-2;
    business demo-business-1; opportunity demo-opportunity-1. Pre-related: demo-child-1 ->
    demo-contact-1. Built-in (SYSTEM_DEFINED) association "demo-assoc-contact-business"
    (contact -> business) and USER_DEFINED "demo-assoc-opportunity-business" (opportunity ->
    business, "Partner").
"""

from __future__ import annotations

from emulators.hubspot import HubSpotState
from emulators.leadconnector import LeadConnectorState
from emulators.salesforce import SalesforceState

SANDBOX_HUBSPOT_TOKEN = "sandbox-hubspot-token"
SANDBOX_SALESFORCE_TOKEN = "sandbox-salesforce-token"
SANDBOX_LEADCONNECTOR_TOKEN = "sandbox-leadconnector-token"

HUBSPOT_CONTACT_IDS = ("101", "102", "103")
HUBSPOT_COMPANY_IDS = ("201", "202")
HUBSPOT_DEAL_IDS = ("301",)
HUBSPOT_TICKET_IDS = ("401",)
HUBSPOT_USER_LABEL = "Billing contact"

SF_ACCOUNT_IDS = ("001000000000001AAA", "001000000000002AAA")
SF_CONTACT_IDS = ("003000000000001AAA", "003000000000002AAA", "003000000000003AAA")
SF_OPPORTUNITY_ID = "006000000000001AAA"
SF_LEAD_ID = "00Q000000000001EAA"
SF_OPPORTUNITY_CONTACT_ROLE_ID = "00K000000000001EAA"
SF_ACCOUNT_CONTACT_RELATION_ID = "07k000000000001AAA"

GHL_LOCATION_ID = "demo-location"
GHL_ASSOCIATION_ID = "demo-assoc-student"
GHL_CONTACT_IDS = ("demo-contact-1", "demo-contact-2")
GHL_CHILD_IDS = ("demo-child-1", "demo-child-2")
GHL_BUSINESS_IDS = ("demo-business-1",)
GHL_OPPORTUNITY_IDS = ("demo-opportunity-1",)
GHL_CONTACT_BUSINESS_ASSOCIATION_ID = "demo-assoc-contact-business"
GHL_OPPORTUNITY_BUSINESS_ASSOCIATION_ID = "demo-assoc-opportunity-business"


def seed_hubspot(state: HubSpotState) -> HubSpotState:
    state.tokens.add(SANDBOX_HUBSPOT_TOKEN)
    state.add_records("contacts", *HUBSPOT_CONTACT_IDS)
    state.add_records("companies", *HUBSPOT_COMPANY_IDS)
    state.add_records("deals", *HUBSPOT_DEAL_IDS)
    state.add_records("tickets", *HUBSPOT_TICKET_IDS)
    state.add_label("contacts", "companies", HUBSPOT_USER_LABEL)
    state.associate("contacts", "101", "companies", "201", type_id=1)  # Primary (+ unlabeled)
    state.associate("deals", "301", "contacts", "101")
    state.associate("deals", "301", "companies", "201")
    return state


def seed_salesforce(state: SalesforceState) -> SalesforceState:
    state.tokens.add(SANDBOX_SALESFORCE_TOKEN)
    acme, globex = SF_ACCOUNT_IDS
    ada, grace, linus = SF_CONTACT_IDS
    state.add_record("Account", acme, Name="Acme")
    state.add_record("Account", globex, Name="Globex")
    state.add_record("Contact", ada, FirstName="Ada", LastName="Lovelace", AccountId=acme)
    state.add_record("Contact", grace, FirstName="Grace", LastName="Hopper", AccountId=None)
    state.add_record("Contact", linus, FirstName="Linus", LastName="Torvalds", AccountId=None)
    state.add_record(
        "Opportunity",
        SF_OPPORTUNITY_ID,
        Name="Acme renewal",
        StageName="Prospecting",
        CloseDate="2030-01-31",
        AccountId=acme,
    )
    state.add_record("Lead", SF_LEAD_ID, FirstName="Alan", LastName="Turing", Company="Bletchley")
    state.add_record(
        "OpportunityContactRole",
        SF_OPPORTUNITY_CONTACT_ROLE_ID,
        OpportunityId=SF_OPPORTUNITY_ID,
        ContactId=ada,
        Role="Decision Maker",
        IsPrimary=True,
    )
    state.add_record(
        "AccountContactRelation",
        SF_ACCOUNT_CONTACT_RELATION_ID,
        AccountId=acme,
        ContactId=ada,
        IsDirect=True,
        IsActive=True,
        Roles=None,
    )
    return state


def seed_leadconnector(state: LeadConnectorState) -> LeadConnectorState:
    state.tokens.add(SANDBOX_LEADCONNECTOR_TOKEN)
    for contact_id in GHL_CONTACT_IDS:
        state.add_record(GHL_LOCATION_ID, contact_id, "contact")
    for child_id in GHL_CHILD_IDS:
        state.add_record(GHL_LOCATION_ID, child_id, "custom_objects.children")
    for business_id in GHL_BUSINESS_IDS:
        state.add_record(GHL_LOCATION_ID, business_id, "business")
    state.add_association(
        GHL_LOCATION_ID,
        GHL_ASSOCIATION_ID,
        key="student",
        first_object_key="custom_objects.children",
        first_object_label="Student",
        second_object_key="contact",
        second_object_label="Teacher",
    )
    for opportunity_id in GHL_OPPORTUNITY_IDS:
        state.add_record(GHL_LOCATION_ID, opportunity_id, "opportunity")
    state.add_association(
        GHL_LOCATION_ID,
        GHL_CONTACT_BUSINESS_ASSOCIATION_ID,
        key="contact_business",
        first_object_key="contact",
        first_object_label="Contact",
        second_object_key="business",
        second_object_label="Business",
        association_type="SYSTEM_DEFINED",
    )
    state.add_association(
        GHL_LOCATION_ID,
        GHL_OPPORTUNITY_BUSINESS_ASSOCIATION_ID,
        key="partner",
        first_object_key="opportunity",
        first_object_label="Opportunity",
        second_object_key="business",
        second_object_label="Partner",
    )
    state.add_relation(GHL_LOCATION_ID, GHL_ASSOCIATION_ID, GHL_CHILD_IDS[0], GHL_CONTACT_IDS[0])
    return state
