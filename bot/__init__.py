"""smartstep: a Slack advisor that tells support leads the smartest next step, and why."""

__version__ = "0.1.0"
