"""The deploy ledger: which release each host runs, and what each release's models use.

Depends only on settings, the ledger's models and ``django_zerodowntime.usage``:
the heartbeat of every web worker writes here, so nothing in this package may
load the migration analysis (``django_zerodowntime.safety``) or sqlparse.
"""
