"""Turn a ``DATABASE_URL`` into a Django ``DATABASES`` entry.

Used by the example project and the test settings, so one environment
variable switches SQLite, PostgreSQL and MariaDB everywhere.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

ENGINES = {
    "sqlite": "django.db.backends.sqlite3",
    "postgres": "django.db.backends.postgresql",
    "postgresql": "django.db.backends.postgresql",
    "mysql": "django.db.backends.mysql",
    "mariadb": "django.db.backends.mysql",
}


def parse_database_url(url: str) -> dict[str, Any]:
    """``postgres://user@host:5432/name``, ``mysql://root@127.0.0.1/test``,
    ``sqlite:///abs/path.sqlite3`` (``sqlite://:memory:`` for memory)."""
    parts = urlsplit(url)
    if parts.scheme not in ENGINES:
        known = ", ".join(sorted(ENGINES))
        raise ValueError(f"DATABASE_URL scheme {parts.scheme!r} is not one of: {known}")
    engine = ENGINES[parts.scheme]
    if engine.endswith("sqlite3"):
        name = parts.netloc if parts.netloc == ":memory:" else unquote(parts.path)
        return {"ENGINE": engine, "NAME": name}
    config: dict[str, Any] = {
        "ENGINE": engine,
        "NAME": unquote(parts.path.lstrip("/")),
        "USER": unquote(parts.username or ""),
        "PASSWORD": unquote(parts.password or ""),
        "HOST": parts.hostname or "",
        "PORT": str(parts.port or ""),
    }
    options = dict(parse_qsl(parts.query))
    if options:
        config["OPTIONS"] = options
    return config
