"""Migration histories of testapp for ``safe_migrate --rehearse`` in real processes.

Each starts from ``tests.scenarios.initial`` (Author, Tag, Post); the test fills
Post with rows, then rehearses the rest (see tests/test_rehearse.py).
"""
