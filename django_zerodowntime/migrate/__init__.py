"""``safe_migrate`` as a pipeline: plan, judge against the ledger, then apply or refuse."""
