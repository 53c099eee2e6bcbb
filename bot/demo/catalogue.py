"""The demo organisation's problem catalogue, part one: the Billing and Technical teams.

Data, not code. Each problem carries several ways customers describe it and the ways agents
wrote it up, so the demo's tickets read like a real queue and the similar-case index has
paraphrases, typos and log-heavy bodies to work with. `{slots}` are filled per ticket by
`demo_text` (versions, invoice numbers, request ids, ...), so no two tickets are identical.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One kind of customer problem, as the demo's customers report and agents resolve it."""

    key: str
    team: str
    product: str
    subjects: tuple[str, ...]
    bodies: tuple[str, ...]
    resolutions: tuple[str, ...]
    kb: str | None = None  # the knowledge article most resolutions cite; None: written by hand
    weight: float = 1.0  # relative frequency inside its team
    escalate: str | None = None  # the department it goes to when support cannot fix it
    escalation: float = 0.0  # share of its tickets escalated
    self_service: float = 0.0  # share solved with no contact (help article, auto-fix)


def _p(key, team, product, subjects, bodies, resolutions, **kw) -> Problem:
    return Problem(key, team, product, tuple(subjects), tuple(bodies), tuple(resolutions), **kw)


B, T = "Billing", "Technical"

BILLING: tuple[Problem, ...] = (
    _p(
        "invoice_pdf_blank",
        B,
        "Ledger",
        (
            "Invoice PDF download shows blank page",
            "invoice pdf is blank when I download it",
            "Downloaded invoice {inv} opens as an empty white page",
            "Blank PDF for our {month} invoice",
            "PDF invoice empty - can't send to accounts payable",
        ),
        (
            "When I click Download PDF on invoice {inv} in Ledger the file opens but the page is completely blank. "
            "Tried {browser} and Adobe Reader, same thing. Our AP team needs the PDF by Friday.",
            "The invoice PDF is blank. The HTML view in the billing page shows all the lines and the total "
            "({amt}) but the downloaded PDF is just a white page with no text. Started this month.",
            "blank pdf again. invoice {inv}. the preview is fine, the pdf is empty. please fix, finance keeps asking",
            "Hello, our finance colleague reports that every invoice PDF we download from Ledger {ver} is an empty "
            "page (file size about 2 KB). Could you send the invoices another way in the meantime?",
        ),
        (
            "Regenerated the PDF for {inv} from the admin side and emailed it to the billing contact. The blank page "
            "happens when the invoice template has the new tax footer; regenerating renders it correctly.",
            "Sent the invoice as a PDF attachment by hand (regenerated from billing admin > invoices > re-render). "
            "Told the customer the download button may give a blank page again until the template is fixed.",
            "Re-rendered invoice {inv}, confirmed the new file shows all lines and the total, and sent it to the "
            "customer. Suggested printing the HTML view to PDF as a stopgap if it happens again.",
        ),
        weight=0.0,
    ),
    _p(
        "double_charge",
        B,
        "Ledger",
        (
            "Charged twice this month",
            "Double charge on our card",
            "Duplicate payment of {amt}",
            "why was I billed 2x??",
            "Two identical charges for invoice {inv}",
        ),
        (
            "Our card statement shows two charges of {amt} on the same day for the "
            "same subscription. Please refund one.",
            "hi, looks like you took the payment twice. bank shows 2 pending "
            "transactions {amt} each. which one is real?",
            "We were charged twice for invoice {inv}. This is the second time this year. Please investigate and refund "
            "the duplicate as soon as possible.",
        ),
        (
            "One of the two was a pre-authorisation that drops off within 5 business days; only one capture exists. "
            "Explained with KB-1002 and sent the capture receipt.",
            "Confirmed a genuine duplicate capture caused by a retry; refunded {amt} and sent the refund reference. "
            "Funds return in 5-10 business days depending on the bank.",
        ),
        kb="KB-1002",
        weight=1.3,
        escalate="billing-ops",
        escalation=0.12,
    ),
    _p(
        "card_declined",
        B,
        "Ledger",
        (
            "Card declined when renewing",
            "Payment failed - card declined",
            "Can't update card, keeps getting declined",
            "renewal payment failed",
            "Error 'card_declined' on checkout",
        ),
        (
            "Trying to pay the renewal and the card is declined with code card_declined. The bank says there is no "
            "block on their side.",
            "Got an email that our payment failed. I updated the card but it still says declined. Do we lose access?",
            "payment page says 'Your card was declined (do_not_honor)'. tried 2 cards. help",
        ),
        (
            "Declines with do_not_honor come from the issuing bank; asked the customer to approve the charge with "
            "their bank and retry. Walked them through KB-1003 to update the card. Payment succeeded on retry.",
            "Extended the grace period by 7 days so the account stays active, sent a payment link. Customer paid by "
            "bank transfer instead.",
        ),
        kb="KB-1003",
        weight=1.2,
        self_service=0.25,
    ),
    _p(
        "refund_request",
        B,
        "Ledger",
        (
            "Refund request",
            "Requesting refund for unused seats",
            "Please refund last month",
            "Can we get our money back?",
            "Refund for accidental upgrade",
        ),
        (
            "We upgraded to the Growth plan by mistake on the {date} and downgraded the same day. Could you refund "
            "the difference of {amt}?",
            "We stopped using {n} of our seats two months ago but kept paying. Is a partial refund possible?",
            "hello i want refund, we cancelled but still charged",
        ),
        (
            "Refunded the prorated difference per the refund policy (KB-1004) and sent confirmation.",
            "Explained that seats are billed until removed; issued a one-off credit of {amt} as goodwill and showed "
            "how to remove unused seats.",
        ),
        kb="KB-1004",
        weight=1.1,
        escalate="billing-ops",
        escalation=0.2,
    ),
    _p(
        "vat_number",
        B,
        "Ledger",
        (
            "VAT number missing from invoice",
            "Add our VAT ID to invoices",
            "Reverse charge not applied",
            "Tax ID on invoice is wrong",
            "We were charged VAT but we are VAT registered",
        ),
        (
            "Our company is VAT registered in Germany (DE{n}1234567) but the invoice charges 19% VAT. Reverse charge "
            "should apply. Please reissue {inv}.",
            "Please add our VAT number to all future invoices and correct the last one.",
            "The tax ID on the invoice has a typo, the last two digits are swapped. Need corrected invoice for audit.",
        ),
        (
            "Added the VAT ID in billing settings, validated it against VIES, and reissued {inv} with reverse charge. "
            "KB-1005 explains how to keep tax details current.",
            "Corrected the tax ID and reissued the invoice; future invoices pick it up automatically.",
        ),
        kb="KB-1005",
        weight=0.9,
    ),
    _p(
        "plan_change",
        B,
        "Ledger",
        (
            "How do I downgrade our plan",
            "Switch from Growth to Starter",
            "Change plan mid-cycle?",
            "upgrade to annual billing",
            "Move us to the monthly plan",
        ),
        (
            "We'd like to move from the annual Growth plan to monthly Starter. What happens with the remaining months?",
            "Can we switch to annual billing now and get the annual discount applied to the current period?",
            "downgrade pls. we are a smaller team now ({n} people)",
        ),
        (
            "Explained proration and plan changes (KB-1006); customer changed the plan themselves in Ledger.",
            "Scheduled the switch to annual at the next renewal date and applied the discount from then.",
        ),
        kb="KB-1006",
        weight=1.2,
        self_service=0.35,
    ),
    _p(
        "proration_question",
        B,
        "Ledger",
        (
            "Don't understand the proration on invoice",
            "Strange line items on invoice {inv}",
            "Why is this invoice higher than usual?",
            "Proration charges explained?",
        ),
        (
            "Invoice {inv} is {amt}, normally we pay less. There are lines called 'Remaining time on Growth' and "
            "'Unused time on Starter'. What are these?",
            "Our bill went up and I can't work out why. We added {n} users mid-month, is that it?",
        ),
        (
            "Walked through the proration lines: users added mid-cycle are charged "
            "for the remaining days. Sent KB-1007.",
            "The increase is {n} seats added on the {date}, prorated. Shared KB-1007 with a worked example.",
        ),
        kb="KB-1007",
        weight=1.0,
        self_service=0.3,
    ),
    _p(
        "dunning_emails",
        B,
        "Ledger",
        (
            "Getting payment reminder emails but we paid",
            "Overdue notice for invoice already paid",
            "Stop the dunning emails",
            "Account marked past due by mistake",
        ),
        (
            "We paid {inv} by bank transfer on the {date} (ref {req}) but keep getting overdue reminders and a warning "
            "that the account will be suspended.",
            "Your system says we're past due. We are not. Remittance attached. Please stop the emails.",
        ),
        (
            "The transfer arrived without the invoice reference so it wasn't matched. Matched it manually, cleared "
            "the past-due flag and paused reminders. KB-1008 shows which reference to use.",
            "Payment found and applied; account status back to active.",
        ),
        kb="KB-1008",
        weight=0.9,
        escalate="billing-ops",
        escalation=0.35,
    ),
    _p(
        "billing_address",
        B,
        "Ledger",
        (
            "Change billing address",
            "Update company name on invoices",
            "Invoice shows our old address",
            "need different billing contact email",
        ),
        (
            "We moved offices. Please update the billing address on the account and on invoice {inv}.",
            "Our company name changed after a merger. All invoices should be addressed to the new legal entity.",
            "Billing emails go to someone who left. How do I change the billing contact?",
        ),
        (
            "Showed where to edit the billing profile (KB-1009); reissued the last invoice with the new address.",
            "Updated the billing contact and legal name; reissued {inv}.",
        ),
        kb="KB-1009",
        weight=0.9,
        self_service=0.4,
    ),
    _p(
        "currency_change",
        B,
        "Ledger",
        (
            "Can we pay in EUR instead of USD",
            "Change billing currency",
            "Invoice currency wrong",
        ),
        (
            "We're based in the Netherlands and would prefer to be billed in EUR. "
            "Currently USD and our bank adds fees.",
            "Our invoice came in GBP, we signed up for USD pricing. Please correct.",
        ),
        (
            "Currency can only change at renewal; set EUR from the next term and explained in KB-1010.",
            "The account was created with a GBP billing country; corrected it and reissued the invoice in USD.",
        ),
        kb="KB-1010",
        weight=0.5,
        escalate="billing-ops",
        escalation=0.3,
    ),
    _p(
        "missing_receipt",
        B,
        "Ledger",
        (
            "Where can I find receipts",
            "Need receipt for payment",
            "No receipt email received",
            "receipt for expense report",
        ),
        (
            "I paid with my company card and need a receipt for expenses, didn't get any email.",
            "Can you resend the receipts for the last 6 months? Our auditor needs them.",
        ),
        (
            "Receipts are under Billing > History (KB-1011). Resent the last six by email.",
            "Resent the receipt; the original went to the spam folder.",
        ),
        kb="KB-1011",
        weight=1.0,
        self_service=0.55,
    ),
    _p(
        "seat_count",
        B,
        "Ledger",
        (
            "Billed for more seats than we have",
            "Seat count on invoice is wrong",
            "Deactivated users still billed",
        ),
        (
            "We have {n} active users but the invoice charges for more. Deactivated users should not count?",
            "we removed people last month, still paying for them. invoice {inv}",
        ),
        (
            "Deactivated users keep a seat until removed; showed the difference (KB-1012) and credited the "
            "last cycle once they were removed.",
            "Removed the suspended users from billing and credited {amt}.",
        ),
        kb="KB-1012",
        weight=1.0,
    ),
    _p(
        "cancel_subscription",
        B,
        "Ledger",
        (
            "Cancel subscription",
            "How to cancel at end of term",
            "Please close our account",
            "cancel auto-renew",
        ),
        (
            "We'd like to cancel at the end of the current term and not auto-renew. Please confirm in writing.",
            "Please cancel our subscription. The product is fine, we just don't need it anymore.",
        ),
        (
            "Turned off auto-renew, confirmed the end date in writing, and passed the account to Success for an "
            "exit conversation. Cancellation steps are in KB-1013.",
            "Cancelled at term end as requested and confirmed the data export options.",
        ),
        kb="KB-1013",
        weight=0.7,
    ),
    _p(
        "coupon_not_applied",
        B,
        "Ledger",
        (
            "Discount code not applied",
            "Promo code didn't work",
            "Coupon missing from invoice",
        ),
        (
            "We signed up with code {code} for 20% off the first year, but the invoice is at full price.",
            "promo code says expired but the email said valid until end of month",
        ),
        (
            "Applied the discount retroactively and credited the difference. "
            "Coupons must be entered at checkout (KB-1014).",
            "The code had expired the day before; applied it anyway as a courtesy.",
        ),
        kb="KB-1014",
        weight=0.6,
    ),
    _p(
        "po_number",
        B,
        "Ledger",
        (
            "Add PO number to invoice",
            "Invoice rejected by our AP - PO missing",
            "Purchase order reference",
        ),
        (
            "Our accounts payable rejects invoices without a PO number. "
            "Please add PO-{n}8821 to {inv} and future invoices.",
            "New fiscal year, new PO. How do we change the PO reference printed on invoices?",
        ),
        (
            "Added the PO field in billing settings (KB-1015) and reissued {inv}.",
            "Updated the PO reference; it appears on invoices from the next cycle, reissued the current one.",
        ),
        kb="KB-1015",
        weight=0.7,
        self_service=0.3,
    ),
    _p(
        "sepa_mandate",
        B,
        "Ledger",
        (
            "Switch to SEPA direct debit",
            "Pay by bank transfer instead of card",
            "SEPA mandate failed",
        ),
        (
            "We want to pay by SEPA direct debit instead of credit card. The mandate form fails with an IBAN error.",
            "Can we pay by bank transfer? Our policy doesn't allow company cards for software.",
        ),
        (
            "The IBAN had a space in the country code; re-entered it and the mandate was created. KB-1016 covers "
            "payment methods.",
            "Enabled invoice payment by bank transfer for the account (net 30).",
        ),
        kb="KB-1016",
        weight=0.6,
        escalate="billing-ops",
        escalation=0.15,
    ),
)

TECHNICAL: tuple[Problem, ...] = (
    _p(
        "api_rate_limit",
        T,
        "Pulse API",
        (
            "Getting 429 Too Many Requests",
            "Pulse API rate limit exceeded",
            "HTTP 429 errors since this morning",
            "rate limited?? our sync is failing",
            "What are the API limits",
        ),
        (
            "Our integration started getting 429s from the Pulse API around {time} UTC. We make maybe {n}0 requests "
            "a minute.\n\n    HTTP/1.1 429 Too Many Requests\n    Retry-After: 30\n    X-RateLimit-Remaining: 0\n",
            "since the upgrade to SDK {ver} we see 'rate_limit_exceeded' on almost every batch call. request id {req}",
            "What is the rate limit on the /v2/records endpoint? Docs say 600/min but we get blocked earlier.",
        ),
        (
            "Limits are per token, not per account; the customer used one token for three services. Shared KB-1020 "
            "on backoff and Retry-After, suggested separate tokens.",
            "The SDK {ver} retry loop ignored Retry-After; upgrading to the next patch fixed it. See KB-1020.",
        ),
        kb="KB-1020",
        weight=1.4,
    ),
    _p(
        "auth_401_token",
        T,
        "Pulse API",
        (
            "401 Unauthorized after rotating API key",
            "API returns invalid_token",
            "Auth failing for our integration",
            "new api key not working",
        ),
        (
            "We rotated our API key yesterday and now every call returns:\n\n"
            '    {{"error": "invalid_token", "message": "The access token is invalid or expired", '
            '"request_id": "{req}"}}\n',
            "401 on all requests from our staging environment, production works fine with the same code.",
            "Generated a new key in the console, pasted it in, still 401. what am i missing",
        ),
        (
            "The new key was created in the sandbox workspace. Created a production key and it worked. KB-1021.",
            "Old tokens are revoked 10 minutes after rotation; their service cached the old one. Restarting the "
            "worker fixed it. Linked KB-1021.",
        ),
        kb="KB-1021",
        weight=1.3,
        self_service=0.2,
    ),
    _p(
        "webhook_not_delivered",
        T,
        "Pulse API",
        (
            "Webhooks not arriving",
            "Webhook events missing since {date}",
            "Not receiving record.updated webhooks",
            "webhook delivery failing",
        ),
        (
            "We stopped receiving webhooks for record.updated. The endpoint is up (we can curl it). Delivery log "
            "in the console shows 'timeout after 10000ms'.",
            "Some webhook events never reach us. Maybe 1 in 20. No pattern we can see.",
        ),
        (
            "Their endpoint took >10 s to answer; advised returning 200 immediately and processing async (KB-1022). "
            "Replayed the failed events from the console.",
            "Endpoint certificate had expired so deliveries failed TLS; after renewal replayed the queue.",
        ),
        kb="KB-1022",
        weight=1.2,
        escalate="engineering",
        escalation=0.15,
    ),
    _p(
        "webhook_signature",
        T,
        "Pulse API",
        (
            "Webhook signature verification fails",
            "X-Pulse-Signature mismatch",
            "HMAC check failing on webhooks",
        ),
        (
            "Our webhook handler rejects every event because the signature doesn't match. We compute "
            "HMAC-SHA256 over the body with the signing secret.\n\n    expected=3f9a...c21 got=a4d0...7be\n",
            "signature mismatch only for events with non-ascii characters (customer names with umlauts)",
        ),
        (
            "They hashed the re-serialised JSON instead of the raw body. Using the raw bytes fixed it (KB-1023).",
            "Same root cause: body was decoded and re-encoded as latin-1. Pointed to KB-1023.",
        ),
        kb="KB-1023",
        weight=0.7,
    ),
    _p(
        "sync_stuck",
        T,
        "Atlas Sync",
        (
            "Atlas Sync stuck at {pct}",
            "Sync never finishes",
            "Initial sync hanging for hours",
            "sync progress frozen",
        ),
        (
            "Initial sync with our CRM has been stuck at {pct} for 6 hours. Atlas Sync {ver}. Nothing in the "
            "error log.",
            "The sync shows 'running' since yesterday. We have about {count} records. Is that normal?",
            "Sync stuck again. Log says:\n\n    [atlas-sync] WARN batch 112/340 retry 5/5: upstream timeout\n"
            "    [atlas-sync] ERROR giving up on batch 112 (job {req})\n",
        ),
        (
            "A single malformed record blocked batch 112. Skipped it, sync completed; KB-1024 explains the skip list.",
            "Large first syncs are throttled; raised the batch size for the account and it finished overnight.",
        ),
        kb="KB-1024",
        weight=1.3,
        escalate="engineering",
        escalation=0.18,
    ),
    _p(
        "sync_duplicates",
        T,
        "Atlas Sync",
        (
            "Duplicate records after sync",
            "Sync created duplicates of all contacts",
            "Every record appears twice",
        ),
        (
            "After reconnecting our CRM, Atlas Sync created a second copy of every contact ({count} of them).",
            "Duplicates again. We did not change anything. Please tell me how to merge them without losing notes.",
        ),
        (
            "Reconnecting created a new external id mapping. Ran the dedupe job on the external id and restored the "
            "mapping. KB-1025 shows how to reconnect without duplicates.",
            "Merged duplicates with the bulk merge tool; no notes lost.",
        ),
        kb="KB-1025",
        weight=1.0,
        escalate="engineering",
        escalation=0.1,
    ),
    _p(
        "export_timeout",
        T,
        "Console",
        (
            "CSV export times out",
            "504 Gateway Timeout on export",
            "Can't export report - takes forever",
            "export fails for large date range",
        ),
        (
            "Exporting the activity report for the last 12 months gives a 504 after about a minute.",
            "export to csv just spins then 'Something went wrong'. smaller range works.",
            "We need a full export for our auditors and it fails every time:\n\n"
            "    GET /reports/activity/export?from=2025-01-01\n"
            "    504 Gateway Time-out (nginx)\n",
        ),
        (
            "Large exports run in the background; showed the 'email me the export' option (KB-1026).",
            "Split the range by quarter and sent the four files; background export covers this now (KB-1026).",
        ),
        kb="KB-1026",
        weight=1.1,
        self_service=0.3,
    ),
    _p(
        "ios_crash",
        T,
        "Beacon app",
        (
            "iOS app crashes on launch",
            "Beacon crashes after update",
            "App closes immediately on {os}",
            "mobile app crash",
        ),
        (
            "Since updating to Beacon {ver} the app crashes right after the splash screen on my iPhone ({os}).",
            "App crash. iPhone 14, {os}. Reinstalled, still crashes. Crash id {req}",
            "Several of our field staff can't open the app since this morning:\n\n"
            "    Fatal Exception: NSInvalidArgumentException\n    -[__NSCFString "
            "objectForKey:]: unrecognized selector\n"
            "    0  CoreFoundation  __exceptionPreprocess\n"
            "    1  Beacon  SyncCoordinator.restore() (SyncCoordinator.swift:212)\n",
        ),
        (
            "Known crash in {ver} when the offline cache is from an older version; clearing app data fixes it, "
            "patched in the next release. KB-1027.",
            "Logged out and in via the web to reset the cache; app opens again. "
            "Engineering fixed it in the next build.",
        ),
        kb="KB-1027",
        weight=1.1,
        escalate="engineering",
        escalation=0.2,
    ),
    _p(
        "android_push",
        T,
        "Beacon app",
        (
            "Push notifications not working on Android",
            "No notifications on {os}",
            "Android app stopped notifying",
        ),
        (
            "Our team on Android ({os}) get no push notifications at all since last week. iPhone users are fine.",
            "notifications dont come on samsung phones unless the app is open",
        ),
        (
            "Battery optimisation was killing the app; walked them through excluding Beacon (KB-1028).",
            "Re-registered the device tokens after the FCM key change; notifications work again.",
        ),
        kb="KB-1028",
        weight=0.9,
        self_service=0.25,
    ),
    _p(
        "sso_login_loop",
        T,
        "Console",
        (
            "SSO login loop",
            "Stuck in redirect loop when logging in with Okta",
            "Can't log in - keeps redirecting",
            "SAML login broken",
        ),
        (
            "Since this morning logging in with SSO loops between Okta and the console. Cleared cookies, same thing.",
            "Users get 'SAMLResponse invalid: audience mismatch' and bounce back to the login page.",
        ),
        (
            "The audience URI in their IdP still pointed at the old domain; updated it (KB-1029).",
            "Clock skew on their ADFS server made assertions look expired; they fixed NTP and it works.",
        ),
        kb="KB-1029",
        weight=1.0,
        escalate="engineering",
        escalation=0.1,
    ),
    _p(
        "dashboard_500",
        T,
        "Console",
        (
            "500 error on dashboard",
            "Internal Server Error when opening reports",
            "Dashboard won't load",
            "error 500 - something went wrong",
        ),
        (
            "The main dashboard shows 'Internal Server Error (500)' for everyone in our workspace. Ref {req}.",
            "Reports page gives error 500 when I filter by team. Other filters fine.\n\n"
            '    Traceback (most recent call last):\n      File "reports/views.py", line 88, in team_filter\n'
            "    KeyError: 'team_id'\n",
        ),
        (
            "Bug in the team filter for workspaces with archived teams; engineering shipped a fix the same week.",
            "A widget referenced a deleted field; removed the widget and the dashboard loads.",
        ),
        kb="KB-1037",
        weight=1.0,
        escalate="engineering",
        escalation=0.35,
    ),
    _p(
        "slow_dashboard",
        T,
        "Console",
        (
            "Console very slow",
            "Dashboard takes 30 seconds to load",
            "performance is terrible today",
        ),
        (
            "Every page in the console takes 20-30 seconds since yesterday. Our internet is fine.",
            "its sooo slow. is there an outage?",
        ),
        (
            "No incident; their dashboard had 40 widgets over 2 years of data. "
            "Suggested a shorter default range (KB-1030).",
            "Regional slowdown during a database failover, resolved by engineering; posted on the status page.",
        ),
        kb="KB-1030",
        weight=0.9,
        escalate="engineering",
        escalation=0.12,
    ),
    _p(
        "missing_data_after_sync",
        T,
        "Atlas Sync",
        (
            "Data missing after sync",
            "Fields empty after Atlas Sync run",
            "Custom fields not syncing",
        ),
        (
            "Custom fields from our CRM arrive empty after the sync. Standard fields are fine.",
            "About {count} records are missing the 'Region' value since the last sync on the {date}.",
        ),
        (
            "Custom fields need a mapping (KB-1031); added the mapping and re-ran the sync.",
            "The source field was renamed in their CRM; updated the mapping and backfilled.",
        ),
        kb="KB-1031",
        weight=1.0,
        self_service=0.2,
    ),
    _p(
        "timezone_reports",
        T,
        "Console",
        (
            "Reports show wrong time zone",
            "Times off by one hour",
            "Timestamps in UTC instead of local time",
        ),
        (
            "All times in the reports are one hour off since the daylight saving change.",
            "Exported timestamps are UTC but the screen shows local time. Which one is right?",
        ),
        (
            "Workspace time zone was set to a fixed offset; switched it to Europe/Berlin (KB-1032).",
            "Exports are UTC by design; showed the export time zone option (KB-1032).",
        ),
        kb="KB-1032",
        weight=0.8,
        escalate="product",
        escalation=0.1,
        self_service=0.45,
    ),
    _p(
        "pagination_duplicates",
        T,
        "Pulse API",
        (
            "API pagination returns duplicates",
            "Same records on page 2 and 3",
            "cursor pagination skipping items",
        ),
        (
            "Paging through /v2/records with offset gives duplicates and we miss some records while data changes.",
            "We see the same ids on consecutive pages when using page=N&per_page=100.",
        ),
        (
            "Offset pagination shifts when rows are inserted; moved them to cursor pagination (KB-1033).",
            "Same fix: cursor parameter instead of page numbers.",
        ),
        kb="KB-1033",
        weight=0.7,
    ),
    _p(
        "sdk_type_error",
        T,
        "Pulse API",
        (
            "Python SDK TypeError",
            "pulse-sdk {ver} breaks our code",
            "SDK upgrade error",
        ),
        (
            "After upgrading pulse-sdk to {ver}:\n\n    Traceback (most recent call last):\n"
            '      File "sync_job.py", line 41, in <module>\n        client.records.list(since=last_run)\n'
            "    TypeError: list() got an unexpected keyword argument 'since'\n",
            "Our Node SDK throws 'Cannot read properties of undefined (reading \"items\")' after the upgrade.",
        ),
        (
            "'since' became 'updated_after' in {ver}; pointed them to the migration notes in KB-1034.",
            "Breaking change in the response envelope; pinned the previous version until they migrate.",
        ),
        kb="KB-1034",
        weight=0.8,
    ),
    _p(
        "tls_error",
        T,
        "Pulse API",
        (
            "SSL certificate error calling API",
            "CERTIFICATE_VERIFY_FAILED",
            "TLS handshake fails from our server",
        ),
        (
            "Our on-prem server can't reach the API:\n\n    "
            "ssl.SSLCertVerificationError: [SSL: CERTIFICATE_VERIFY_FAILED]"
            " certificate verify failed: unable to get local issuer certificate\n",
            "Since {date} our Java service fails with PKIX path building failed.",
        ),
        (
            "Their CA bundle was outdated after our certificate chain changed; "
            "updating ca-certificates fixed it (KB-1035).",
            "Old Java truststore; imported the new root. KB-1035.",
        ),
        kb="KB-1035",
        weight=0.6,
    ),
    _p(
        "search_no_results",
        T,
        "Console",
        (
            "Search returns no results",
            "Can't find records by email in search",
            "search broken",
        ),
        (
            "Searching for a contact by email returns nothing even though the record exists.",
            "search finds nothing for anything created after {date}",
        ),
        (
            "Search index lagged after a bulk import; triggered a reindex for the workspace (KB-1036).",
            "Reindexed; new records show up within a minute again.",
        ),
        kb="KB-1036",
        weight=0.8,
        escalate="engineering",
        escalation=0.15,
    ),
    _p(
        "password_reset_email",
        T,
        "Console",
        (
            "Password reset email never arrives",
            "Customer can't reset password",
            "No password reset link received",
            "forgot password mail not coming",
            "Reset password link expired",
        ),
        (
            "I clicked Forgot password three times and no reset email came, not in spam either. "
            "I can't get into the Console without it.",
            "can't reset my password, the reset link says it has expired although I used it right away",
            "One of our users asked for a password reset at {time} and is still waiting for the email. "
            "Could you send the link another way?",
        ),
        (
            "The address was on the bounce suppression list after an old hard bounce; removed it and resent "
            "the reset link (KB-1041).",
            "Reset links expire after 30 minutes and only the newest one works; sent a fresh link and "
            "explained to use the latest mail (KB-1041).",
            "Their mail gateway held our reset mails; shared the sender domain to allow-list and resent (KB-1041).",
        ),
        kb="KB-1041",
        weight=0.9,
        self_service=0.35,
    ),
    _p(
        "account_locked_login",
        T,
        "Console",
        (
            "I can't log in to my account",
            "Account locked after failed logins",
            "Login says invalid password but it is correct",
            "can't sign in since this morning",
            "Locked out of the Console",
        ),
        (
            "I can't log in to my account. It says my password is wrong, then that the account is locked "
            "for 30 minutes.",
            "Since {date} I get 'invalid email or password' when I sign in, although the password is right. "
            "Tried {browser} too.",
            "several of our agents are locked out of the console after the password policy change",
        ),
        (
            "The account was locked after 5 failed attempts (a saved old password in the browser); unlocked it "
            "from the admin panel and had the user clear the saved password (KB-1042).",
            "The workspace enforces SSO, so password login is refused; pointed the user to the SSO button and KB-1042.",
            "Unlocked the accounts, and the admin reset the password policy grace period (KB-1042).",
        ),
        kb="KB-1042",
        weight=0.9,
        self_service=0.2,
    ),
)
