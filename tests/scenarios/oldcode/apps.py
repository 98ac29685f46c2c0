from django.apps import AppConfig


class OldCodeConfig(AppConfig):
    name = "tests.scenarios.oldcode"
    label = "testapp"
    default_auto_field = "django.db.models.BigAutoField"
