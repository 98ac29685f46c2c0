"""One migration package per rule, switched in with MIGRATION_MODULES={"testapp": ...}.

Every package starts from ``initial.Migration`` (models Author, Tag, Post); its
``0002_change`` is the operation under test.
"""
