"""people app."""
