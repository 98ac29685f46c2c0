"""The deploy ledger in the Django admin, used as a staff user would: the test client."""

from __future__ import annotations

import html
import re
from datetime import timedelta

import pytest
from django.contrib.auth.models import Permission, User
from django.test import Client, override_settings
from django.utils import timezone

from django_zerodowntime.ledger import record
from django_zerodowntime.ledger.snapshot import Snapshot
from django_zerodowntime.models import Release, Rollout

pytestmark = pytest.mark.db

USES_SUBTITLE = Snapshot(
    tables=frozenset({"blog_post"}),
    columns=frozenset({("blog_post", "title"), ("blog_post", "subtitle")}),
)
RETIRED_SUBTITLE = Snapshot(
    tables=frozenset({"blog_post", "blog_tag"}),
    columns=frozenset({("blog_post", "title")}),
    unused_columns=frozenset({("blog_post", "subtitle")}),
)
ADMIN = "/admin/django_zerodowntime"
FLEET = f"{ADMIN}/release/fleet/"


def text(response: object) -> str:
    """The page's text, tags stripped and whitespace folded."""
    page = response.content.decode()  # type: ignore[attr-defined]
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())


def roll(release: str, host: str, snapshot: Snapshot, source: str = "manual") -> None:
    record.record_release(release, snapshot)
    record.record_rollout(release, host, source)


@pytest.fixture
def ledger(db) -> None:  # type: ignore[no-untyped-def]
    """Two hosts on two releases: web-1 still on r1 (uses subtitle), web-2 on r2 (retires it)."""
    roll("r1", "web-1", USES_SUBTITLE, "reload")
    roll("r2", "web-2", RETIRED_SUBTITLE)
    record.record_applied("r2", "default", ["blog.0002_post_subtitle", "blog.0003_tag"])
    record.record_forced("r1", "table is empty", ["blog.0004_drop"])


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def staff(db) -> Client:  # type: ignore[no-untyped-def]
    """A staff user with every permission on the ledger's models (delete included)."""
    user = User.objects.create_user("staff", password="x", is_staff=True)
    user.user_permissions.set(
        Permission.objects.filter(content_type__app_label="django_zerodowntime")
    )
    return client_for(user)


@pytest.fixture
def superuser(db) -> Client:  # type: ignore[no-untyped-def]
    return client_for(User.objects.create_superuser("root", password="x"))


def test_release_list_shows_id_time_migrations_forced_and_snapshot(ledger, staff) -> None:  # type: ignore[no-untyped-def]
    page = text(staff.get(f"{ADMIN}/release/"))
    assert "r1" in page
    assert "r2" in page
    assert "Migrations applied Forced Snapshot" in page
    assert "'table is empty' for blog.0004_drop" in page
    assert "2 tables, 1 columns used; marked unused: column blog_post.subtitle" in page
    assert "1 tables, 2 columns used; nothing marked unused" in page


def test_release_page_shows_everything_and_is_read_only(ledger, staff) -> None:  # type: ignore[no-untyped-def]
    response = staff.get(f"{ADMIN}/release/r2/change/")
    assert response.status_code == 200
    page = text(response)
    assert "blog.0002_post_subtitle, blog.0003_tag on default at" in page
    assert "marked unused: column blog_post.subtitle" in page
    assert "web-2 (manual)" in page  # which hosts run it now
    form = response.content.decode()
    assert 'name="label"' not in form
    assert 'name="_save"' not in form
    # Nobody edits history: no change, no add, even with every permission.
    assert staff.post(f"{ADMIN}/release/r2/change/", {"label": "edited"}).status_code == 403
    assert Release.objects.get(pk="r2").label == ""
    assert staff.get(f"{ADMIN}/release/add/").status_code == 403
    assert staff.get(f"{ADMIN}/rollout/add/").status_code == 403
    rollout = Rollout.objects.get(host="web-1")
    assert staff.post(f"{ADMIN}/rollout/{rollout.pk}/change/", {"host": "x"}).status_code == 403


def test_only_superusers_may_delete(ledger, staff, superuser) -> None:  # type: ignore[no-untyped-def]
    rollout = Rollout.objects.get(host="web-2")
    assert staff.get(f"{ADMIN}/rollout/{rollout.pk}/delete/").status_code == 403
    assert staff.post(f"{ADMIN}/rollout/{rollout.pk}/delete/", {"post": "yes"}).status_code == 403
    assert Rollout.objects.filter(pk=rollout.pk).exists()
    response = superuser.post(f"{ADMIN}/rollout/{rollout.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not Rollout.objects.filter(pk=rollout.pk).exists()


def test_fleet_page_shows_each_host_and_marks_a_stale_heartbeat(ledger, staff) -> None:  # type: ignore[no-untyped-def]
    record.record_heartbeat("r2", "web-3")
    silent = timezone.now() - timedelta(seconds=200)
    Rollout.objects.filter(host="web-3").update(at=silent, seen=silent)
    with override_settings(ZERODOWNTIME={"RELEASE": "test-release", "HEARTBEAT_SECONDS": 60}):
        response = staff.get(FLEET)
    assert response.status_code == 200
    rows = {row.entry.host: row for row in response.context["rows"]}
    assert {host: row.entry.release for host, row in rows.items()} == {
        "web-1": "r1",
        "web-2": "r2",
        "web-3": "r2",
    }
    assert [host for host, row in rows.items() if row.stale] == ["web-3"]
    page = text(response)
    assert "3 hosts on 2 releases: r1, r2." in page
    assert re.search(r"web-1 r1 reload \d{4}-\d\d-\d\d \d\d:\d\d:\d\d [A-Z]+", page)  # since
    assert "stale : silent since 3 minutes" in page
    source = response.content.decode()
    assert source.count('class="stale-mark"') == 1
    assert f'href="{ADMIN}/release/r1/change/"' in source


def test_fleet_page_with_an_empty_ledger_says_how_hosts_get_there(staff) -> None:  # type: ignore[no-untyped-def]
    page = text(staff.get(FLEET))
    assert "0 hosts on 0 releases." in page
    assert "safe_migrate --mark-live" in page


def test_fleet_and_drops_need_the_view_permission(ledger, db) -> None:  # type: ignore[no-untyped-def]
    bare = client_for(User.objects.create_user("bare", password="x", is_staff=True))
    assert bare.get(FLEET).status_code == 403
    assert bare.get(f"{ADMIN}/release/r2/drops/").status_code == 403
    anonymous = Client()
    assert anonymous.get(FLEET).status_code == 302  # to the login page


def test_release_drops_blocked_while_a_host_runs_a_release_that_uses_it(ledger, staff) -> None:  # type: ignore[no-untyped-def]
    page = text(staff.get(f"{ADMIN}/release/r2/drops/"))
    assert "column blog_post.subtitle blocked (ZDT101)" in page
    assert "host web-1 running release r1" in page
    assert "Wait until every host named runs r2" in page


def test_release_drops_allowed_once_every_host_runs_it(ledger, staff) -> None:  # type: ignore[no-untyped-def]
    record.record_rollout("r2", "web-1", "reload")
    response = staff.get(f"{ADMIN}/release/r2/drops/")
    [drop] = response.context["drops"]
    assert drop.finding.verdict.value == "safe"
    page = text(response)
    assert "column blog_post.subtitle allowed" in page
    assert "no release that may still run uses it" in page


def test_release_drops_of_a_release_never_analysed(staff) -> None:  # type: ignore[no-untyped-def]
    record.record_release("r9", None)
    page = text(staff.get(f"{ADMIN}/release/r9/drops/"))
    assert "does not know which tables and columns release r9 uses" in page
    assert staff.get(f"{ADMIN}/release/nope/drops/").status_code == 404
    assert "not known: a host reported this release" in text(staff.get(f"{ADMIN}/release/"))


def test_release_that_marks_nothing_unused_prepares_no_drop(ledger, staff) -> None:  # type: ignore[no-untyped-def]
    assert "Release r1 marks nothing unused" in text(staff.get(f"{ADMIN}/release/r1/drops/"))


def test_changelists_link_to_the_fleet(ledger, staff) -> None:  # type: ignore[no-untyped-def]
    for model in ("release", "rollout"):
        assert f'href="{FLEET}"' in staff.get(f"{ADMIN}/{model}/").content.decode()


def test_a_corrupt_ledger_row_is_named_not_a_crash(ledger, staff) -> None:  # type: ignore[no-untyped-def]
    Release.objects.filter(pk="r2").update(snapshot={"tables": "not a list"}, applied="junk")
    page = text(staff.get(f"{ADMIN}/release/r2/change/"))
    assert "corrupt ledger row: release 'r2'" in page
    assert "corrupt ledger row: release 'r2'" in text(staff.get(f"{ADMIN}/release/r2/drops/"))
    Rollout.objects.filter(host="web-1").update(source="carrier-pigeon")
    assert "corrupt ledger row: rollout of host 'web-1'" in text(staff.get(FLEET))
    assert "corrupt ledger row: rollout of host 'web-1'" in text(
        staff.get(f"{ADMIN}/release/r1/change/")
    )
