"""Settings of the golden-history project (see ``tests.golden_history``)."""

import os

SECRET_KEY = "golden-history-only"
USE_TZ = True
DEBUG = False
DATABASES = {
    "default": {"ENGINE": "django.db.backends.sqlite3", "NAME": os.environ["GOLDEN_DATABASE"]}
}
INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django_zerodowntime",
    "tests.golden_history.people",
    "tests.golden_history.catalog",
    "tests.golden_history.orders",
    "tests.golden_history.legacy",
]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
ROOT_URLCONF = "tests.urls"
ZERODOWNTIME = {"RELEASE": "golden"}
