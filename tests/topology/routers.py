"""The ``archive`` app lives only on the ``other`` database; everything else only on default."""

from __future__ import annotations

from typing import Any

ARCHIVE = "archive"


class ArchiveRouter:
    def db_for_read(self, model: Any, **hints: Any) -> str | None:
        return "other" if model._meta.app_label == ARCHIVE else None

    def db_for_write(self, model: Any, **hints: Any) -> str | None:
        return self.db_for_read(model)

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool:
        return (db == "other") == (app_label == ARCHIVE)
