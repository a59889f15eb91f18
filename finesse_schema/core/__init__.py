"""Layer 0: values every other layer speaks in. Standard library only."""
