"""The people app of the golden history (migrations only)."""
