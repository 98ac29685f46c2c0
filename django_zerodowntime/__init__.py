"""Deploy Django on Gunicorn without downtime."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0.dev0"
__all__ = ["__version__", "unused", "unused_model"]

if TYPE_CHECKING:
    from django_zerodowntime.fields import unused, unused_model


def __getattr__(name: str) -> Any:
    # Imported on first use so that importing the package needs no configured settings.
    if name in ("unused", "unused_model"):
        from django_zerodowntime import fields

        return getattr(fields, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
