"""The Slack edge: building the Bolt app and its Web API client, the HTTP server, the listeners and
the Block Kit builders."""
