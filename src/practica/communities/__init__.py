"""Communities of practice: charter, lifecycle, membership and participation, events, health."""
