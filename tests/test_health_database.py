"""The database and migrations checks against real servers, including broken ones."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import dj_database_url
import pytest
from django.db import connections
from django.db.migrations.recorder import MigrationRecorder
from django.test import Client, override_settings

from django_zerodowntime.health.checks import Status, database, migrations
from django_zerodowntime.health.heartbeat import Heartbeat
from django_zerodowntime.health.probe import probe
from tests.conftest import missing
from tests.harness.deadline import IN_PROCESS_MARGIN, assert_cut_at, timed

DATABASE_CHECK = "django_zerodowntime.health.checks.database"


@pytest.fixture(autouse=True)
def fresh_probe(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    # Heartbeats would commit rows to the test database from their own thread.
    monkeypatch.setattr(probe, "heartbeat", Heartbeat(lambda: None))
    probe.forget()
    migrations.forget()
    yield
    probe.forget()
    migrations.forget()


@pytest.fixture
def outside_database(django_db_blocker: Any) -> Iterator[None]:
    """Database access for aliases that are not the test database."""
    require_postgres()
    with django_db_blocker.unblock():
        yield


def require_postgres() -> None:
    try:
        import psycopg  # noqa: F401
    except ImportError:
        missing("psycopg is not installed (pip install -e '.[postgres]')")
    try:
        socket.create_connection(("127.0.0.1", 5432), timeout=1).close()
    except OSError:
        missing("PostgreSQL is not running on 127.0.0.1:5432")


@contextmanager
def extra_alias(alias: str, url: str) -> Iterator[None]:
    """A database alias added at run time (as if it were in DATABASES)."""
    configured = connections.configure_settings(
        {"default": connections.settings["default"], alias: dj_database_url.parse(url)}
    )
    connections.settings[alias] = configured[alias]
    try:
        yield
    finally:
        del connections.settings[alias]


def only_database(alias: str, **extra: object) -> override_settings:
    check = {"check": DATABASE_CHECK, "options": {"databases": [alias]}}
    return override_settings(
        ZERODOWNTIME={"RELEASE": "r", "HEALTH_CHECKS": [check], "HEALTH_CACHE_SECONDS": 0, **extra}
    )


@pytest.mark.db
@pytest.mark.django_db(transaction=True)
def test_database_check_passes_for_every_alias_by_default() -> None:
    outcomes = database()
    assert [(o.component, o.status) for o in outcomes] == [("default", Status.PASS)]


@pytest.mark.db
@pytest.mark.django_db(transaction=True)
def test_database_check_reuses_a_persistent_connection() -> None:
    connection = connections["default"]
    connection.close()
    saved = connection.settings_dict["CONN_MAX_AGE"]
    connection.settings_dict["CONN_MAX_AGE"] = None
    try:
        database(["default"])
        first = connection.connection
        database(["default"])
        assert first is not None
        assert connection.connection is first
    finally:
        connection.settings_dict["CONN_MAX_AGE"] = saved
        connection.close()


@pytest.mark.db
@pytest.mark.django_db(transaction=True)
def test_database_check_closes_a_connection_past_conn_max_age() -> None:
    connection = connections["default"]
    if connection.vendor == "sqlite":
        pytest.skip("the in-memory SQLite test database is never closed")
    assert connection.settings_dict["CONN_MAX_AGE"] == 0
    database(["default"])
    assert connection.connection is None


@pytest.mark.usefixtures("outside_database")
def test_database_error_text_never_reaches_the_body(client: Client) -> None:
    """A real PostgreSQL error naming the host and the user: only its class is shown."""
    with (
        extra_alias("leaky", "postgres://leakyuser@127.0.0.1:5432/test"),
        only_database("leaky", HEALTH_DETAILS=True),
    ):
        response = client.get("/healthz")
    text = response.content.decode()
    assert response.status_code == 503
    assert "leakyuser" not in text
    assert "127.0.0.1" not in text
    assert "5432" not in text
    assert json.loads(text)["checks"]["database"] == [
        {"status": "fail", "componentId": "leaky", "output": "did not answer (OperationalError)"}
    ]


@pytest.mark.usefixtures("outside_database")
def test_a_closed_port_fails_readiness(client: Client) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        closed_port = sock.getsockname()[1]
    with (
        extra_alias("closed", f"postgres://postgres@127.0.0.1:{closed_port}/x"),
        only_database("closed"),
    ):
        assert client.get("/healthz").status_code == 503


@pytest.mark.usefixtures("outside_database")
def test_a_hung_database_is_answered_at_the_deadline(client: Client) -> None:
    """A server that accepts TCP but never speaks: the probe must not wait for it."""
    black_hole = socket.socket()
    black_hole.bind(("127.0.0.1", 0))
    black_hole.listen(8)
    port = black_hole.getsockname()[1]

    def health_threads() -> int:
        return sum(t.name == "zerodowntime-health" for t in threading.enumerate())

    before = health_threads()
    try:
        with (
            extra_alias("hung", f"postgres://postgres@127.0.0.1:{port}/x"),
            only_database("hung", HEALTH_DEADLINE_SECONDS=0.3, HEALTH_DETAILS=True),
        ):
            first, first_took = timed(lambda: client.get("/healthz"))
            # Not cached (HEALTH_CACHE_SECONDS 0): the second waits on the same stuck check.
            second, second_took = timed(lambda: client.get("/healthz"))
            started_threads = health_threads() - before
    finally:
        black_hole.close()  # the stuck connect now fails and the worker moves on
    assert first.status_code == second.status_code == 503
    assert json.loads(second.content)["checks"]["database"][0]["output"] == (
        "no answer within 0.3 s"
    )
    # Each probe ends at its deadline; without it the hang is endless.
    assert_cut_at(first_took, 0.3, IN_PROCESS_MARGIN)
    assert_cut_at(second_took, 0.3, IN_PROCESS_MARGIN)
    assert started_threads <= 1  # at most the probe's one worker, never one per probe
    assert probe._inflight is not None
    assert probe._inflight.done.wait(10)


@pytest.mark.db
@pytest.mark.django_db
def test_migrations_check_fails_while_a_migration_is_unapplied() -> None:
    MigrationRecorder.Migration.objects.filter(app="contenttypes").delete()
    outcomes = migrations()
    assert outcomes[0].status is Status.FAIL
    assert outcomes[0].output.endswith("not applied")


@pytest.mark.db
@pytest.mark.django_db
def test_migrations_check_is_remembered_once_true(
    django_assert_num_queries: pytest.FixtureRequest,
) -> None:
    assert migrations()[0].status is Status.PASS
    with django_assert_num_queries(0):  # type: ignore[operator]
        assert migrations()[0].status is Status.PASS
