"""The schema a database should have (migration state) and has (introspection), compared."""
