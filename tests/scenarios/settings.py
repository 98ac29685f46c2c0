"""Settings of a scenario release, old or new, run by the oracle in a process of its own.

The oracle replaces DATABASES with its scratch database and sets
MIGRATION_MODULES: ``tests.scenarios.old`` (0001 only) for the old release,
``tests.scenarios.<scenario>`` for the new one.
"""

SECRET_KEY = "scenario-only"
USE_TZ = True
DEBUG = False
DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}}
INSTALLED_APPS = ["django.contrib.contenttypes", "django_zerodowntime", "tests.scenarios.oldcode"]
MIGRATION_MODULES = {"testapp": "tests.scenarios.old"}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
ROOT_URLCONF = "tests.urls"
ZERODOWNTIME = {"HEARTBEAT_SECONDS": None, "LOCK_TIMEOUT": 5}
