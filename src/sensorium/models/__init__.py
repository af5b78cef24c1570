"""Neural networks and their weights, loaded through one registry."""
