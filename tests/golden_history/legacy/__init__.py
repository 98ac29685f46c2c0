"""The legacy app of the golden history (migrations only)."""
