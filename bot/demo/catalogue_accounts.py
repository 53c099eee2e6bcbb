"""The demo organisation's problem catalogue, part two: the Onboarding and Enterprise teams.

Same shape as `demo_catalogue`: data that reads like a real queue, filled per ticket by `demo_text`.
"""

from __future__ import annotations

from smartstep.demo.catalogue import Problem, _p

ONB, ENT = "Onboarding", "Enterprise"

ONBOARDING: tuple[Problem, ...] = (
    _p(
        "invite_emails",
        ONB,
        "Console",
        (
            "Invited teammates didn't get the email",
            "Invitation emails not arriving",
            "Can't invite my team",
            "invite link expired",
        ),
        (
            "I invited {n} colleagues yesterday and none of them got the invitation. Checked spam.",
            "the invite link says expired, we only sent it this morning",
            "Our IT filters external mail. Is there a way to invite people without the email?",
        ),
        (
            "Their mail gateway quarantined the invites; shared the sender domain to allow-list (KB-1040) and resent.",
            "Invite links last 72 hours in the user's time zone; resent and showed the copy-link option in KB-1040.",
        ),
        kb="KB-1040",
        weight=1.4,
        self_service=0.3,
    ),
    _p(
        "csv_import_fails",
        ONB,
        "Console",
        (
            "CSV import fails",
            "Import error on row {n}",
            "Can't import our contacts spreadsheet",
            "import says invalid file",
        ),
        (
            "Importing our contacts CSV fails with 'Row {n}: invalid date in column "
            "Created'. We exported it from Excel.",
            "The import finishes but all the accents are broken (e.g. 'MÃ¼ller').",
            "csv upload -> 'File could not be parsed'. its only {count} rows",
        ),
        (
            "Excel saved the file as ANSI; re-saving as UTF-8 CSV fixed the characters (KB-1041).",
            "Dates were day-first; set the date format in the import wizard (KB-1041).",
        ),
        kb="KB-1041",
        weight=1.4,
        self_service=0.25,
    ),
    _p(
        "workspace_setup",
        ONB,
        "Console",
        (
            "Help setting up our workspace",
            "Best way to structure teams?",
            "Getting started questions",
            "New customer - where do we start?",
        ),
        (
            "We just signed and I'm the admin. How should we set up teams and permissions for {n} departments?",
            "Hi! New here. Is there a checklist for the first week? We go live on the {date}.",
        ),
        (
            "Sent the setup checklist (KB-1042) and booked a 30-minute setup call.",
            "Walked through the team structure on a call; they will mirror their departments. Checklist KB-1042.",
        ),
        kb="KB-1042",
        weight=1.5,
    ),
    _p(
        "data_migration",
        ONB,
        "Atlas Sync",
        (
            "Migrating from our old tool",
            "Data migration from previous vendor",
            "Import history from competitor",
        ),
        (
            "We're moving from our previous system and have 4 years of history "
            "({count} records). Can you help migrate?",
            "What format do you need the export from our old helpdesk in? Attachments too?",
        ),
        (
            "Shared the migration template and field mapping guide (KB-1043); ran a test import of 500 records.",
            "Migration ran in two passes over a weekend; customer verified counts.",
        ),
        kb="KB-1043",
        weight=1.0,
        escalate="engineering",
        escalation=0.08,
    ),
    _p(
        "training_request",
        ONB,
        "Console",
        (
            "Training session for new users",
            "Can we book onboarding training?",
            "Admin training request",
        ),
        (
            "We have {n} new users starting next month. Do you offer live training?",
            "could someone walk our admins through reports? we are a bit lost",
        ),
        (
            "Booked two training sessions and sent the recorded admin course link (KB-1044).",
            "Ran a 45-minute reports walkthrough; shared the recording.",
        ),
        kb="KB-1044",
        weight=1.0,
    ),
    _p(
        "sandbox_access",
        ONB,
        "Console",
        (
            "Need a sandbox environment",
            "Test workspace request",
            "sandbox access for our developers",
        ),
        (
            "Our developers want to test the integration before going live. Is there a sandbox?",
            "Sandbox login says 'workspace not found'.",
        ),
        (
            "Created a sandbox linked to their account and sent the login steps (KB-1045).",
            "The sandbox uses a separate URL; sent the right one.",
        ),
        kb="KB-1045",
        weight=0.8,
        self_service=0.2,
    ),
    _p(
        "domain_verification",
        ONB,
        "Console",
        (
            "Domain verification failing",
            "DNS TXT record not detected",
            "Can't verify our email domain",
        ),
        (
            "We added the TXT record two days ago but verification still says 'record not found'.\n\n"
            '    $ dig TXT {acct}.example.com +short\n    "v=spf1 include:_spf.example.net ~all"\n',
            "verification keeps failing, our DNS is at Cloudflare",
        ),
        (
            "The record was added to the root instead of the _smartverify subdomain; corrected it (KB-1046).",
            "Cloudflare proxied the record; switched it to DNS-only and it verified.",
        ),
        kb="KB-1046",
        weight=0.9,
        self_service=0.2,
    ),
    _p(
        "roles_permissions",
        ONB,
        "Console",
        (
            "Set up roles and permissions",
            "Agents can see billing pages",
            "Restrict access for contractors",
        ),
        (
            "Our contractors should only see their own projects. What role do we give them?",
            "New agents can open the billing settings, that shouldn't happen.",
        ),
        (
            "Created a custom role without billing access and applied it (KB-1047).",
            "Contractors moved to the Restricted role with project scoping (KB-1047).",
        ),
        kb="KB-1047",
        weight=1.0,
        self_service=0.3,
    ),
    _p(
        "salesforce_setup",
        ONB,
        "Atlas Sync",
        (
            "Connecting Salesforce",
            "Salesforce integration setup fails",
            "OAuth error connecting CRM",
        ),
        (
            "Connecting Salesforce fails with 'OAUTH_APP_BLOCKED'. Our admin has full rights.",
            "Which Salesforce objects do you sync, and can we pick fields?",
        ),
        (
            "Their Salesforce org blocks unapproved connected apps; admin approved ours (KB-1048).",
            "Shared the object list and field picker docs (KB-1048).",
        ),
        kb="KB-1048",
        weight=1.1,
        escalate="engineering",
        escalation=0.08,
    ),
    _p(
        "kickoff_scheduling",
        ONB,
        "Console",
        (
            "Scheduling our kickoff call",
            "When is our onboarding kickoff?",
            "Reschedule kickoff",
        ),
        (
            "We signed last week and haven't heard about next steps. When is the kickoff?",
            "Need to move our kickoff to next week, our project lead is out.",
        ),
        (
            "Booked the kickoff and sent the agenda and prep list.",
            "Rescheduled the kickoff and confirmed the new date.",
        ),
        kb="KB-1053",
        weight=1.0,
    ),
    _p(
        "email_forwarding",
        ONB,
        "Console",
        (
            "Set up email forwarding",
            "Forwarded emails not creating tickets",
            "support address forwarding",
        ),
        (
            "We forward support@ to our inbox address but nothing shows up.",
            "forwarding works for gmail but not for our outlook shared mailbox",
        ),
        (
            "Exchange rewrote the envelope sender; added the transport rule from KB-1049.",
            "Forwarding confirmation code was never clicked; resent it.",
        ),
        kb="KB-1049",
        weight=0.9,
        self_service=0.3,
    ),
    _p(
        "custom_fields",
        ONB,
        "Console",
        (
            "Custom fields mapping",
            "How to add custom fields",
            "Custom field not showing on form",
        ),
        (
            "We need a 'Contract tier' dropdown on every record. Where do we add it?",
            "Created a custom field but it doesn't appear on the form for agents.",
        ),
        (
            "Fields must be added to the layout too; showed where (KB-1050).",
            "Added the field to the form layout; KB-1050.",
        ),
        kb="KB-1050",
        weight=0.9,
        escalate="product",
        escalation=0.12,
        self_service=0.45,
    ),
    _p(
        "mobile_onboarding",
        ONB,
        "Beacon app",
        (
            "How do field staff log in to the app",
            "QR code login not working",
            "Mobile app setup for our team",
        ),
        (
            "Our field staff will use Beacon on their phones. What's the easiest way to get them logged in?",
            "The QR code from the console says 'expired' when scanned with {os}.",
        ),
        (
            "Sent the mobile rollout guide (KB-1051); QR codes are valid for 15 minutes.",
            "Generated fresh QR codes during the rollout session.",
        ),
        kb="KB-1051",
        weight=0.7,
        escalate="product",
        escalation=0.08,
        self_service=0.3,
    ),
    _p(
        "trial_extension",
        ONB,
        "Console",
        (
            "Extend our trial",
            "Trial ending - need more time",
            "Can we get 2 more weeks of trial?",
        ),
        (
            "Our trial ends on the {date} but procurement needs another two weeks. Can you extend?",
            "trial expired before we could test the sync",
        ),
        (
            "Extended the trial by 14 days and looped in the account executive.",
            "Trial extended; shared the evaluation checklist.",
        ),
        kb="KB-1054",
        weight=0.8,
    ),
    _p(
        "go_live_checklist",
        ONB,
        "Console",
        (
            "Go-live checklist",
            "Are we ready to go live?",
            "Final steps before launch",
        ),
        (
            "We plan to go live on the {date}. Can you review our setup before that?",
            "What do we need to switch off in the old tool when we go live tomorrow?",
        ),
        (
            "Reviewed their workspace against the go-live checklist (KB-1052); two items fixed.",
            "Go-live review done, cutover plan agreed.",
        ),
        kb="KB-1052",
        weight=1.0,
    ),
)

ENTERPRISE: tuple[Problem, ...] = (
    _p(
        "sla_credit",
        ENT,
        "Console",
        (
            "SLA credit request for outage",
            "Service credits for downtime on {date}",
            "Claiming SLA credits",
        ),
        (
            "Per our contract (99.9% uptime) we request service credits for the outage on the {date} which lasted "
            "about 3 hours for our EU users.",
            "Please confirm the SLA credit calculation for last month's incidents.",
        ),
        (
            "Calculated credits per the MSA, applied them to the next invoice, and sent the incident summary.",
            "Credit approved by billing-ops and applied; summary sent to the account team.",
        ),
        kb="KB-1070",
        weight=0.8,
        escalate="billing-ops",
        escalation=0.4,
    ),
    _p(
        "security_questionnaire",
        ENT,
        "Console",
        (
            "Security questionnaire",
            "Vendor security review",
            "Need SOC 2 report and pen test summary",
        ),
        (
            "Our security team needs the attached questionnaire completed ({n}0 questions) before renewal.",
            "Can you share your latest SOC 2 Type II report and pen test summary under NDA?",
        ),
        (
            "Shared the trust portal access (KB-1060) and answered the remaining questions with security.",
            "Sent SOC 2 report under NDA; questionnaire answered from the standard pack.",
        ),
        kb="KB-1060",
        weight=1.0,
    ),
    _p(
        "audit_log_export",
        ENT,
        "Console",
        (
            "Audit log export",
            "Need audit logs for the last year",
            "Audit log API",
        ),
        (
            "Compliance needs a full audit log export for the last 12 months, including admin actions.",
            "Is there an API for the audit log? The UI export only covers 90 days.",
        ),
        (
            "Pointed to the audit log API and retention settings (KB-1061); provided the 12-month archive.",
            "Exported the archive from cold storage; API covers it from now on.",
        ),
        kb="KB-1061",
        weight=0.9,
    ),
    _p(
        "data_residency",
        ENT,
        "Console",
        (
            "Data residency in the EU",
            "Where is our data stored?",
            "Move workspace to EU region",
        ),
        (
            "Our DPO asks whether all our data stays in the EU, including backups and support tooling.",
            "We need our workspace moved to the Frankfurt region before the {date}.",
        ),
        (
            "Confirmed EU hosting and sub-processor list (KB-1062).",
            "Region move scheduled with engineering for a weekend window; completed and verified.",
        ),
        kb="KB-1062",
        weight=0.7,
        escalate="engineering",
        escalation=0.25,
    ),
    _p(
        "scim_provisioning",
        ENT,
        "Console",
        (
            "SCIM provisioning failing",
            "Users not provisioned from Azure AD",
            "SCIM 409 conflict errors",
        ),
        (
            "Azure AD provisioning logs show:\n\n    SCIM POST /Users -> 409 Conflict\n"
            '    {{"detail": "userName already exists", "status": "409"}}\n\nfor about {n}0 users.',
            "Deprovisioned users in Okta are still active in the workspace.",
        ),
        (
            "The users had been invited manually first; linked existing accounts to their SCIM ids (KB-1063).",
            "Deprovisioning bug for users in multiple groups; engineering fixed it, we cleaned up the leftovers.",
        ),
        kb="KB-1063",
        weight=1.1,
        escalate="engineering",
        escalation=0.3,
    ),
    _p(
        "performance_at_scale",
        ENT,
        "Pulse API",
        (
            "API latency spikes for our account",
            "Bulk endpoint very slow at volume",
            "p95 latency degraded",
        ),
        (
            "Our p95 latency on /v2/bulk went from 400 ms to over 6 s this week. We "
            "push about {count} records an hour.",
            "Nightly job now takes 5 hours instead of 1. Nothing changed on our side. Request ids: {req}",
        ),
        (
            "Hot partition on their tenant; engineering rebalanced it and latency is back to normal.",
            "Query plan regression after an index change; engineering rolled back and added a guard.",
        ),
        kb="KB-1073",
        weight=1.1,
        escalate="engineering",
        escalation=0.6,
    ),
    _p(
        "quota_increase",
        ENT,
        "Pulse API",
        (
            "Request API quota increase",
            "Raise our rate limits",
            "Higher limits for migration weekend",
        ),
        (
            "We plan a data migration on the {date} and need 5x our normal API limit for 48 hours.",
            "Our contract says 2,000 requests/min but we are limited at 600.",
        ),
        (
            "Raised the limit per the contract and documented it on the account (KB-1064).",
            "Temporary quota increase approved for the weekend.",
        ),
        kb="KB-1064",
        weight=0.8,
        escalate="engineering",
        escalation=0.2,
    ),
    _p(
        "outage_rca",
        ENT,
        "Console",
        (
            "RCA request for incident",
            "Root cause analysis for outage on {date}",
            "Need post-incident report",
        ),
        (
            "Our executives want a written root cause analysis for the outage on the {date}, with prevention steps.",
            "When will the RCA for last week's incident be available?",
        ),
        (
            "Sent the published RCA and scheduled a call with engineering to walk through prevention steps.",
            "RCA delivered; customer satisfied with the remediation timeline.",
        ),
        weight=0.5,
        escalate="engineering",
        escalation=0.5,
    ),
    _p(
        "saml_cert_rotation",
        ENT,
        "Console",
        (
            "SAML certificate rotation",
            "Rotate SSO signing certificate",
            "SSO cert expiring",
        ),
        (
            "Our IdP signing certificate expires on the {date}. How do we rotate without locking everyone out?",
            "After we uploaded the new certificate nobody can log in!! urgent",
        ),
        (
            "Added the new certificate as secondary, switched over, then removed the old one (KB-1065).",
            "They replaced instead of adding; restored the old cert as secondary and redid the rotation per KB-1065.",
        ),
        kb="KB-1065",
        weight=0.8,
    ),
    _p(
        "onprem_connector",
        ENT,
        "Atlas Sync",
        (
            "On-prem connector offline",
            "Atlas connector lost connection",
            "Connector agent keeps disconnecting",
        ),
        (
            "Our on-prem Atlas connector shows offline since the {date}. Agent log:\n\n"
            "    2026-03-04 02:11:09 ERROR tunnel: connection reset by peer (retry in 60s)\n"
            "    2026-03-04 02:12:09 ERROR tunnel: proxy authentication required (407)\n",
            "connector disconnects every night at 2am",
        ),
        (
            "Their proxy began requiring auth; configured proxy credentials on the agent (KB-1066).",
            "Nightly firewall session reset; enabled keepalive per KB-1066.",
        ),
        kb="KB-1066",
        weight=0.9,
        escalate="engineering",
        escalation=0.25,
    ),
    _p(
        "dpa_signature",
        ENT,
        "Console",
        (
            "Sign our DPA",
            "Data processing agreement review",
            "Legal review of DPA changes",
        ),
        (
            "Attached is our DPA template. Our legal team asks that you sign it rather than yours.",
            "We need the signed DPA before the {date} to go through procurement.",
        ),
        (
            "Legal reviewed and countersigned our standard DPA with two of their clauses.",
            "Sent our pre-signed DPA (KB-1067); accepted by their procurement.",
        ),
        kb="KB-1067",
        weight=0.6,
    ),
    _p(
        "bulk_deprovision",
        ENT,
        "Console",
        (
            "Bulk deactivate users",
            "Remove {n}0 users after reorganisation",
            "Offboarding many users at once",
        ),
        (
            "After a reorganisation we need to remove about {n}0 users and reassign their records.",
            "Is there a bulk offboarding option? Doing it one by one takes forever.",
        ),
        (
            "Used the bulk user action with record reassignment (KB-1068).",
            "Ran the offboarding script for them with their list; records reassigned to team leads.",
        ),
        kb="KB-1068",
        weight=0.8,
        escalate="product",
        escalation=0.1,
        self_service=0.15,
    ),
    _p(
        "reporting_bug",
        ENT,
        "Console",
        (
            "Report totals don't match",
            "Executive report numbers wrong",
            "Discrepancy in monthly report",
        ),
        (
            "The monthly executive report shows {count} records but the export shows fewer. Which is right?",
            "Totals in the custom report double count records that belong to two teams.",
        ),
        (
            "Confirmed double counting for multi-team records; engineering fixed the aggregation.",
            "Report counted archived records; adjusted the filter and explained the difference.",
        ),
        kb="KB-1071",
        weight=1.0,
        escalate="engineering",
        escalation=0.45,
    ),
    _p(
        "custom_contract_invoice",
        ENT,
        "Ledger",
        (
            "Invoice doesn't match contract",
            "Contracted price not on invoice",
            "Enterprise invoice discrepancy",
        ),
        (
            "Our contract has a fixed price of {amt} per year but invoice {inv} is based on list price per seat.",
            "The ramp in year two of our contract is not reflected in the invoice.",
        ),
        (
            "Billing-ops corrected the contract terms in Ledger and reissued {inv}.",
            "Ramp schedule entered; credit note issued for the difference.",
        ),
        kb="KB-1072",
        weight=0.8,
        escalate="billing-ops",
        escalation=0.6,
    ),
    _p(
        "dedicated_support_review",
        ENT,
        "Console",
        (
            "Quarterly support review",
            "QBR: support metrics for our account",
            "Ticket review for our account",
        ),
        (
            "Ahead of our quarterly business review, can you send our ticket stats and open escalations?",
            "We'd like a review of all our open cases with your engineering lead.",
        ),
        (
            "Prepared the quarterly support summary and walked through open escalations on the call.",
            "Shared the account support report (KB-1069) and agreed follow-ups.",
        ),
        kb="KB-1069",
        weight=0.7,
    ),
)
