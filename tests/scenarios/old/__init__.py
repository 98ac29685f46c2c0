"""The old release's migrations: only the shared ``0001_initial``."""
