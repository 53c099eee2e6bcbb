"""Helpdesk sync: Zendesk and Freshdesk through their documented APIs, into the same store as a CSV.

`sources` builds a source from the settings, `run` writes its pages (each with its cursor, in one
transaction) and recomputes the weeks touched; `http` is the one HTTP client, `state` the
sync's memory in the store. Nothing here runs on a schedule: `smartstep serve` does that.
"""

from __future__ import annotations

from smartstep.errors import UserError
from smartstep.settings import Settings

SOURCES = ("zendesk", "freshdesk")


def build_source(name: str, settings: Settings, *, comments: bool = True):  # -> Source
    """The configured source, or one sentence naming the setting that is missing."""
    if name == "zendesk":
        from smartstep.imports.sync.zendesk import ZendeskSource, base_url

        url = base_url(settings.zendesk_subdomain, settings.zendesk_url)
        if not settings.zendesk_email:
            raise UserError(
                "ZENDESK_EMAIL is not set; set it to the e-mail address of the agent the API token belongs to"
            )
        if not settings.zendesk_api_token:
            raise UserError(
                "ZENDESK_API_TOKEN is not set; create one in Admin Center > Apps and integrations > Zendesk API"
            )
        return ZendeskSource(url, settings.zendesk_email, settings.zendesk_api_token, comments=comments)
    if name == "freshdesk":
        from smartstep.imports.sync.freshdesk import FreshdeskSource, base_url

        url = base_url(settings.freshdesk_domain, settings.freshdesk_url)
        if not settings.freshdesk_api_key:
            raise UserError("FRESHDESK_API_KEY is not set; copy it from your Freshdesk profile settings")
        return FreshdeskSource(url, settings.freshdesk_api_key, comments=comments)
    raise UserError(f"unknown helpdesk {name!r}; choose one of {', '.join(SOURCES)}", exit_code=2)
