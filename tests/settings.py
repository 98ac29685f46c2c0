"""Settings for the test suite.

``ZERODOWNTIME_TEST_DB`` picks the vendor: ``sqlite`` (default), ``postgres``
(127.0.0.1:5432, user postgres) or ``mariadb`` (127.0.0.1:3306, root);
``DATABASE_URL`` overrides the default database entirely.
"""

import os
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent
SECRET_KEY = "tests-only-not-secret"
DEBUG = False
ALLOWED_HOSTS = ["testserver", "localhost"]
USE_TZ = True

VENDOR_URLS = {
    "sqlite": "sqlite:///" + str(BASE_DIR / "test.sqlite3"),
    "postgres": "postgres://postgres@127.0.0.1:5432/test",
    "mariadb": "mysql://root@127.0.0.1:3306/test",
}
VENDOR = os.environ.get("ZERODOWNTIME_TEST_DB", "sqlite")
default = dj_database_url.parse(os.environ.get("DATABASE_URL") or VENDOR_URLS[VENDOR])
# One test database per pytest run, so concurrent runs on one server do not
# drop each other's database; subprocesses inherit the run id via the env.
RUN_ID = os.environ.setdefault("ZERODOWNTIME_TEST_RUN", str(os.getpid()))
if not default["ENGINE"].endswith("sqlite3"):
    default["TEST"] = {"NAME": f"test_zdt_{RUN_ID}"}
if default["ENGINE"].endswith("mysql"):
    default["TEST"].update({"CHARSET": "utf8mb4", "COLLATION": "utf8mb4_unicode_ci"})
DATABASES = {"default": default}

INSTALLED_APPS = [
    # The ledger's admin pages are tested here; tests/test_admin_absent.py runs without it.
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",  # the admin's CSS, for the browser test's screenshot
    "django_zerodowntime",
    "tests.testapp",
]

MIDDLEWARE = [
    "django_zerodowntime.health.middleware.HealthMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
]

ROOT_URLCONF = "tests.urls"
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ]
        },
    }
]
STATIC_URL = "/static/"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# Heartbeats write the ledger from their own thread, outside test transactions:
# off here; the tests about them turn them on.
ZERODOWNTIME = {"RELEASE": "test-release", "HEARTBEAT_SECONDS": None}
