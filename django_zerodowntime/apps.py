from django.apps import AppConfig


class ZeroDowntimeConfig(AppConfig):
    name = "django_zerodowntime"
    verbose_name = "Zero-downtime deploys"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django_zerodowntime import checks  # noqa: F401  (registers the checks)
        from django_zerodowntime.release import current_release

        # The release id of a process is its code's, so it is read at boot. Read
        # later, after a deploy pulled the next commit into the checkout a server
        # runs from, it would name the new commit while the old code serves, and
        # the ledger would file the old code's columns under the new release.
        current_release()
