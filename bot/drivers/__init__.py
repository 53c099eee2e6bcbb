"""Driver analysis: which factors explain CSAT, effort and NPS for a team, and how sure that is."""
