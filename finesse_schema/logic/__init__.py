"""Layer 1: pure logic. No connections, no environment, no printing."""
