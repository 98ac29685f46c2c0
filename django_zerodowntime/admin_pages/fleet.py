"""The fleet page: each host's current release, read by ``ledger.fleet`` as safe_migrate does."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.contrib.admin import ModelAdmin
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils import timezone

from django_zerodowntime.conf import conf
from django_zerodowntime.ledger.fleet import FleetEntry, expires_at, fleet, is_stale
from django_zerodowntime.ledger.snapshot import LedgerError

TEMPLATE = "admin/django_zerodowntime/fleet.html"


@dataclass(frozen=True)
class HostRow:
    entry: FleetEntry
    stale: bool  # a heartbeat host silent for two beats: it may be gone, it still counts
    expires: datetime | None  # when it drops out of the fleet unless it beats again


def host_rows(now: datetime | None = None) -> list[HostRow]:
    now = now or timezone.now()
    return [HostRow(entry, is_stale(entry, now), expires_at(entry)) for entry in fleet(now)]


def fleet_view(model_admin: ModelAdmin[Any], request: HttpRequest) -> HttpResponse:
    if not model_admin.has_view_permission(request):
        raise PermissionDenied
    error = ""
    rows: list[HostRow] = []
    try:
        rows = host_rows()
    except LedgerError as corrupt:
        error = str(corrupt)
    context = {
        **model_admin.admin_site.each_context(request),
        "title": "Fleet: the release each host runs",
        "opts": model_admin.model._meta,
        "rows": rows,
        "releases": sorted({row.entry.release for row in rows}),
        "error": error,
        "expiry_seconds": f"{conf.FLEET_EXPIRY_SECONDS:g}",
    }
    return TemplateResponse(request, TEMPLATE, context)
