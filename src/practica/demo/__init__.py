"""demo app."""
