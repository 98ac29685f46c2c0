from django.apps import AppConfig


class ZeroDowntimeConfig(AppConfig):
    name = "django_zerodowntime"
    verbose_name = "Zero-downtime deploys"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django_zerodowntime import checks  # noqa: F401  (registers the checks)
        from django_zerodowntime.release import read_at_boot

        read_at_boot()  # the commit of the code this process runs, not a later pull's
