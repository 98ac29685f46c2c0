"""safe_migrate --rehearse: the pending plan run on a scratch copy, measured per statement."""
