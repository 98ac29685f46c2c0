"""The catalog app of the golden history (migrations only)."""
