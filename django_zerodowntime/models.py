"""The deploy ledger: which release each host runs, and what each release uses."""

from __future__ import annotations

from django.db import models


class Release(models.Model):
    """One release of the project's code, with the schema its models use."""

    id = models.CharField(primary_key=True, max_length=191)
    label = models.CharField(max_length=255, blank=True)
    # {"tables": [...], "columns": [[table, column]...], "unused_tables": [...],
    #  "unused_columns": [...]}; null when a host reported a release never analysed.
    snapshot = models.JSONField(null=True, blank=True)
    first_recorded = models.DateTimeField(auto_now_add=True)
    # [{"at": iso time, "reason": str, "migrations": ["app.name", ...]}]
    forced = models.JSONField(default=list, blank=True)
    # [{"at": iso time, "database": alias, "migrations": ["app.name", ...]}] per
    # safe_migrate run that applied something; nullable so the code before it can insert.
    applied = models.JSONField(null=True, blank=True)

    class Meta:
        ordering = ["first_recorded"]

    def __str__(self) -> str:
        return self.label or self.id


class Rollout(models.Model):
    """Evidence that ``host`` runs ``release``: since ``at``, last confirmed at ``seen``."""

    class Source(models.TextChoices):
        RELOAD = "reload"
        MANUAL = "manual"
        HEARTBEAT = "heartbeat"

    release = models.ForeignKey(Release, on_delete=models.PROTECT, related_name="rollouts")
    host = models.CharField(max_length=191)
    source = models.CharField(max_length=16, choices=Source.choices)
    at = models.DateTimeField()
    seen = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["host", "seen"], name="zerodowntime_host_seen")]

    def __str__(self) -> str:
        return f"{self.host} runs {self.release_id} ({self.source})"
