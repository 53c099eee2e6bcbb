"""The advisor: the pipeline from rules to ranked next steps, the ranking that learns from feedback
and outcomes, past situations, the advice log, and the capability assessment."""
