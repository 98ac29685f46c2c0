"""The deploy ledger in the Django admin: read-only history, the fleet, a release's drops.

Django's admin imports this module (autodiscover) only when
``django.contrib.admin`` is installed; nothing else imports it. Nobody edits
history by hand: no add, no change; only superusers may delete.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib import admin
from django.contrib.admin.utils import quote
from django.db.models import Model
from django.http import HttpRequest
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html, format_html_join

from django_zerodowntime.admin_pages import drops, fleet, summary
from django_zerodowntime.ledger.snapshot import LedgerError
from django_zerodowntime.models import Release, Rollout

if TYPE_CHECKING:
    ModelAdmin = admin.ModelAdmin[Any]
else:
    ModelAdmin = admin.ModelAdmin  # not subscriptable at run time


class LedgerAdmin(ModelAdmin):
    """Read-only: the ledger is evidence, written by the commands and the heartbeats."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return bool(request.user.is_superuser)


def _lines(lines: list[str]) -> str:
    return format_html_join("", "<div>{}</div>", ((line,) for line in lines)) or "-"


@admin.register(Release)
class ReleaseAdmin(LedgerAdmin):
    list_display = (
        "id",
        "label",
        "first_recorded",
        "applied_count",
        "forced_note",
        "snapshot_note",
    )
    search_fields = ("id", "label")
    fields = readonly_fields = (
        "id",
        "label",
        "first_recorded",
        "hosts_now",
        "migrations_applied",
        "forced_reasons",
        "snapshot_summary",
        "drops_link",
    )

    def get_urls(self) -> list[URLPattern]:
        wrap = self.admin_site.admin_view
        own = [
            path(
                "fleet/",
                wrap(lambda request: fleet.fleet_view(self, request)),
                name="django_zerodowntime_release_fleet",
            ),
            path(
                "<path:object_id>/drops/",
                wrap(lambda request, object_id: drops.drops_view(self, request, object_id)),
                name="django_zerodowntime_release_drops",
            ),
        ]
        return own + super().get_urls()

    @admin.display(description="migrations applied")
    def applied_count(self, release: Release) -> int:
        return sum(
            len(e.get("migrations", [])) for e in release.applied or [] if isinstance(e, dict)
        )

    @admin.display(description="forced")
    def forced_note(self, release: Release) -> str:
        return "; ".join(summary.forced_reasons(release.forced)) or "-"

    @admin.display(description="snapshot")
    def snapshot_note(self, release: Release) -> str:
        return summary.snapshot_summary(release.id, release.snapshot)

    @admin.display(description="migrations applied")
    def migrations_applied(self, release: Release) -> str:
        return _lines(summary.migrations_applied(release.applied))

    @admin.display(description="forced past a refusal")
    def forced_reasons(self, release: Release) -> str:
        return _lines(summary.forced_reasons(release.forced))

    @admin.display(description="snapshot")
    def snapshot_summary(self, release: Release) -> str:
        return summary.snapshot_summary(release.id, release.snapshot)

    @admin.display(description="runs on now")
    def hosts_now(self, release: Release) -> str:
        try:
            rows = [row for row in fleet.host_rows() if row.entry.release == release.id]
        except LedgerError as error:
            return str(error)
        hosts = [f"{r.entry.host} ({r.entry.source}{', stale' if r.stale else ''})" for r in rows]
        link = format_html(
            '<a href="{}">fleet</a>', reverse("admin:django_zerodowntime_release_fleet")
        )
        return format_html("{} &middot; {}", ", ".join(hosts) or "no host", link)

    @admin.display(description="drops")
    def drops_link(self, release: Release) -> str:
        url = reverse("admin:django_zerodowntime_release_drops", args=[quote(release.pk)])
        return format_html('<a href="{}">what it would allow or block dropping now</a>', url)


@admin.register(Rollout)
class RolloutAdmin(LedgerAdmin):
    list_display = ("host", "release", "source", "at", "seen")
    # A date filter, not date_hierarchy: the hierarchy truncates dates in the
    # database, which fails on a MariaDB/MySQL without time zone tables.
    list_filter = ("source", "host", "at")
    search_fields = ("host", "release__id")
    ordering = ("-seen", "-id")
