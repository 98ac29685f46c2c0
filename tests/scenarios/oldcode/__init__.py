"""The old release of every rule scenario: the models of ``initial.py``, app label ``testapp``.

The oracle runs this code (tests/scenarios/settings.py) against the schema each
scenario's ``0002_change`` makes, in a process of its own.
"""
