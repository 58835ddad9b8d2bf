"""Systems thinking: the organisational learning what-if lab (and, later, causal loop diagrams)."""
