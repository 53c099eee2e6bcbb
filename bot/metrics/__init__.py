"""Metric values and how they are made: pure value types and formulas, the noise model that decides
whether a change is real, the scorecard, and the store reader and writer at the edge."""
