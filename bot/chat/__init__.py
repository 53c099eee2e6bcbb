"""The conversation: one engine (text and state in, an answer out) that Slack and the terminal
share, with its intent model, skills and context loader."""
