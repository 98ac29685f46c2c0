"""A release's drops page: what it marks unused, and whether a migration could drop it now."""

from __future__ import annotations

from typing import Any

from django.contrib.admin import ModelAdmin
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.template.response import TemplateResponse

from django_zerodowntime.ledger.fleet import usage_check_for
from django_zerodowntime.ledger.snapshot import LedgerError, stored_snapshot
from django_zerodowntime.models import Release

TEMPLATE = "admin/django_zerodowntime/release_drops.html"


def drops_view(model_admin: ModelAdmin[Any], request: HttpRequest, object_id: str) -> HttpResponse:
    release = model_admin.get_object(request, unquote(object_id))
    if not isinstance(release, Release):
        raise Http404(f"no release {unquote(object_id)!r} in the deploy ledger")
    if not model_admin.has_view_permission(request, release):
        raise PermissionDenied
    # Imported here, not with admin.py: every web worker loads admin.py at start-up,
    # and code that serves requests never loads the migration analysis.
    from django_zerodowntime.safety.release_drops import release_drops

    error, drops = "", []
    try:
        if release.snapshot is None:
            error = (
                f"The ledger does not know which tables and columns release {release.id} "
                f"uses: record it from its code with `python manage.py safe_migrate --mark-live`."
            )
        else:
            snapshot = stored_snapshot(release.id, release.snapshot)
            check = usage_check_for(release.id, snapshot)
            drops = release_drops(release.id, snapshot.marked_unused(), check)
    except LedgerError as corrupt:
        error = str(corrupt)
    context = {
        **model_admin.admin_site.each_context(request),
        "title": f"Drops release {release} prepares",
        "opts": model_admin.model._meta,
        "original": release,
        "drops": drops,
        "error": error,
    }
    return TemplateResponse(request, TEMPLATE, context)
