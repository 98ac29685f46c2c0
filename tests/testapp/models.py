"""Models the tests use; migration scenarios live in tests/migrations_*/ packages."""
