"""MariaDB: an ALTER TABLE that names its own ALGORITHM and LOCK, which the server refuses.

A type change needs ALGORITHM=COPY, so ``LOCK=NONE`` fails; the rehearsal must
run it as written (and fail), not append a clause of its own that would let it
through.
"""
