"""Migration operations of django-zerodowntime, for any migration to use.

``Backfill`` fills a column in batches; the others are what ``expand_contract``
writes. Web workers import this package when they load migrations (the health
check plans them): it imports Django only, never the analysis or the SQL
builders, which the operations import when they run.
"""

from django_zerodowntime.operations.backfill import (
    Backfill,
    BackfillError,
    Batch,
    BatchObserver,
    observe_batches,
)
from django_zerodowntime.operations.columns import (
    AddShadowColumn,
    ColumnPairOperation,
    DropSync,
    SyncColumns,
)
from django_zerodowntime.operations.copy_rows import CopyToNewColumn
from django_zerodowntime.operations.finish import DropOldColumn, SetNewColumnNotNull

__all__ = [
    "AddShadowColumn",
    "Backfill",
    "BackfillError",
    "Batch",
    "BatchObserver",
    "ColumnPairOperation",
    "CopyToNewColumn",
    "DropOldColumn",
    "DropSync",
    "SetNewColumnNotNull",
    "SyncColumns",
    "observe_batches",
]
