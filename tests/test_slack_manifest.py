"""The manifest an admin pastes must match what the app listens to and the scopes its calls need.

Both sides are derived: the events from what `register` wires into the app, the scopes from the
Web API methods the code calls (found by reading the source) and the events it receives, through
the scope each needs in Slack's documentation. A call or listener added without its manifest line
fails here, and so does a scope the app never uses.
"""

from __future__ import annotations

import ast
import importlib.util
from pathlib import Path
from typing import Any

import pytest
import yaml
from slack_sdk import WebClient

from smartstep.settings import Settings
from smartstep.slack.listeners import register
from smartstep.slack.services import SlackServices

MANIFEST = Path(__file__).resolve().parents[1] / "manifest.yaml"

# Slack's documentation: the bot scope each Web API method needs (None: no scope).
METHOD_SCOPES: dict[str, str | None] = {
    "auth_test": None,
    "chat_postMessage": "chat:write",
    "chat_postEphemeral": "chat:write",
    "chat_update": "chat:write",
    "chat_delete": "chat:write",
    "conversations_open": "im:write",
    "files_upload_v2": "files:write",
    "reactions_add": "reactions:write",
    "reactions_remove": "reactions:write",
    "views_open": None,
    "views_publish": None,
    "views_update": None,
    "users_info": "users:read",
}
# Slack's documentation: the scope a bot event subscription needs.
EVENT_SCOPES: dict[str, str | None] = {
    "app_mention": "app_mentions:read",
    "message.im": "im:history",
    "message.channels": "channels:history",
    "message.groups": "groups:history",
    "message.mpim": "mpim:history",
    "app_home_opened": None,
}


class RecordingApp:
    """Stands in for the Bolt app while `register` wires it: records what is listened to."""

    def __init__(self) -> None:
        self.wired: list[tuple[str, Any]] = []

    def _record(self, kind: str, key: Any, **_: Any):
        self.wired.append((kind, key))
        return lambda *args, **kwargs: None

    def event(self, event: Any, **options: Any):
        return self._record("event", event["type"] if isinstance(event, dict) else event, **options)

    def command(self, command: str, **options: Any):
        return self._record("command", command, **options)

    def action(self, action: Any, **options: Any):
        return self._record("action", action, **options)

    def view(self, view: Any, **options: Any):
        return self._record("view", view, **options)

    def message(self, *args: Any, **options: Any):
        return self._record("event", "message", **options)

    def shortcut(self, shortcut: Any, **options: Any):
        return self._record("shortcut", shortcut, **options)


@pytest.fixture(scope="module")
def manifest() -> dict:
    return yaml.safe_load(MANIFEST.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def wired(tmp_path_factory: pytest.TempPathFactory) -> list[tuple[str, Any]]:
    app = RecordingApp()
    path = tmp_path_factory.mktemp("manifest") / "smartstep.db"
    register(app, SlackServices(settings=Settings(db_path=path), db_path=path))
    return app.wired


def web_api_methods_called() -> set[str]:
    """Every WebClient method the installed package's source calls, e.g. `client.chat_postMessage(...)`."""
    spec = importlib.util.find_spec("smartstep")
    assert spec is not None and spec.origin is not None
    found: set[str] = set()
    for path in Path(spec.origin).parent.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
                name = node.func.attr
                if not name.startswith("_") and "_" in name and callable(getattr(WebClient, name, None)):
                    found.add(name)
    return found


def test_every_event_the_app_listens_to_is_subscribed_and_nothing_more(manifest, wired) -> None:
    listened = {key for kind, key in wired if kind == "event"}
    subscribed = set(manifest["settings"]["event_subscriptions"]["bot_events"])
    assert {event.split(".")[0] for event in subscribed} == listened
    assert set(EVENT_SCOPES) >= subscribed, "add the event's scope from Slack's docs to EVENT_SCOPES"


def test_the_slash_command_and_interactivity_match_the_listeners(manifest, wired) -> None:
    commands = {key for kind, key in wired if kind == "command"}
    assert {c["command"] for c in manifest["features"]["slash_commands"]} == commands
    interactive = any(kind in ("action", "view", "shortcut") for kind, _ in wired)
    assert manifest["settings"]["interactivity"]["is_enabled"] is interactive
    assert manifest["features"]["app_home"]["home_tab_enabled"] is (("event", "app_home_opened") in wired)


def test_the_manifest_asks_for_exactly_the_scopes_the_app_uses(manifest, wired) -> None:
    methods = web_api_methods_called()
    unknown = methods - set(METHOD_SCOPES)
    assert not unknown, f"look up the scope of {sorted(unknown)} in Slack's docs and add it to METHOD_SCOPES"
    subscribed = manifest["settings"]["event_subscriptions"]["bot_events"]
    needed = {METHOD_SCOPES[m] for m in methods} | {EVENT_SCOPES[e] for e in subscribed}
    if any(kind == "command" for kind, _ in wired):
        needed.add("commands")
    needed.discard(None)
    assert set(manifest["oauth_config"]["scopes"]["bot"]) == needed
    assert {"chat_postMessage", "views_publish", "files_upload_v2"} <= methods  # the scan sees real calls


def test_the_readme_lists_the_manifests_scopes(manifest) -> None:
    readme = (MANIFEST.parent / "README.md").read_text(encoding="utf-8")
    for scope in manifest["oauth_config"]["scopes"]["bot"]:
        assert f"`{scope}`" in readme, scope
