"""The weekly digest: what moved, the top next steps and the outcomes, assembled, rendered and
posted on schedule."""
