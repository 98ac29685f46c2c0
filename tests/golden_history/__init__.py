"""A committed migration history whose ``safe_migrate --check`` report is kept as golden files.

It exercises, in a few small apps, what the planner's speed work (issue 8) could
get wrong without changing a verdict by accident: relations both ways, a
swappable user FK, auto-created and explicit M2M tables, multi-table
inheritance, proxy and unmanaged models, renames that repoint other apps'
relations, SeparateDatabaseAndState, RunSQL/RunPython, operation subclasses,
unknown operations, a squashed migration, a step whose state breaks, and an
allow-list. The first migration of three apps is applied before the check, so
the rest is judged both against existing tables and against tables new in the
plan. ``tests/test_golden_history.py`` runs it; bench/real_history does the
same on a real project (wagtail, oscar...), outside the test venv.
"""
