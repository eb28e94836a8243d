"""Pure scoring: metrics, ranking, budget plans and trend analytics (no I/O)."""
