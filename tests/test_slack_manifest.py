"""The manifest an admin pastes must match what the app listens to and the scopes its calls need."""

from __future__ import annotations

from pathlib import Path

import yaml

MANIFEST = Path(__file__).resolve().parents[1] / "manifest.yaml"


def test_manifest_subscribes_to_every_event_and_grants_every_scope_the_app_uses() -> None:
    manifest = yaml.safe_load(MANIFEST.read_text(encoding="utf-8"))
    assert set(manifest["settings"]["event_subscriptions"]["bot_events"]) == {
        "app_mention",
        "message.channels",
        "message.groups",
        "message.im",
        "app_home_opened",
    }
    scopes = set(manifest["oauth_config"]["scopes"]["bot"])
    # chat.postMessage/update, reactions.add/remove, views.publish (no scope), files upload, DMs, the command,
    # and follow-ups in the bot's threads in public and private channels
    assert {
        "app_mentions:read",
        "channels:history",
        "groups:history",
        "chat:write",
        "commands",
        "im:history",
        "im:read",
        "im:write",
        "files:write",
        "reactions:write",
        "users:read",
    } <= scopes
    [command] = manifest["features"]["slash_commands"]
    assert command["command"] == "/smartstep"
    assert manifest["features"]["app_home"]["home_tab_enabled"] is True
    assert manifest["features"]["app_home"]["messages_tab_enabled"] is True
    assert manifest["settings"]["interactivity"]["is_enabled"] is True
    assert manifest["settings"]["socket_mode_enabled"] is True
