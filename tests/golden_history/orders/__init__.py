"""The orders app of the golden history (migrations only)."""
