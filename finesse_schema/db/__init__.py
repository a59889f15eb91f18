"""Layer 2: the edges that touch databases. Knows nothing of click or terminals."""
