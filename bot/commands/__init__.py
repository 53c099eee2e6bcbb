"""CLI commands, one module each, imported only when their command runs, so `smartstep metrics`
does not pay for loading scikit-learn, Slack or matplotlib. Add a command with one line here."""

from __future__ import annotations

COMMANDS: dict[str, str] = {
    "ask": "smartstep.commands.chat_cmd:ask_command",
    "assess": "smartstep.commands.assess_cmd:assess_command",
    "backup": "smartstep.commands.backup_cmd:backup_command",
    "chat": "smartstep.commands.chat_cmd:chat_command",
    "clock": "smartstep.commands.clock_cmd:clock_command",
    "demo": "smartstep.commands.demo_cmd:demo_command",
    "digest": "smartstep.commands.digest_cmd:digest_command",
    "drivers": "smartstep.commands.drivers_cmd:drivers_command",
    "feedback": "smartstep.commands.feedback_cmd:feedback_command",
    "import": "smartstep.commands.import_cmd:import_command",
    "metrics": "smartstep.commands.metrics_cmd:metrics_command",
    "next-step": "smartstep.commands.next_step_cmd:next_step_command",
    "rules": "smartstep.commands.rules_cmd:rules_command",
    "serve": "smartstep.commands.serve_cmd:serve_command",
    "similar": "smartstep.commands.similar_cmd:similar_command",
    "sync": "smartstep.commands.sync_cmd:sync_command",
    "teams": "smartstep.commands.teams_cmd:teams_command",
}
