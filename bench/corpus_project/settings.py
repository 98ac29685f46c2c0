"""Settings of the corpus bench (bench/corpus.py): one reusable app on Django 5.2.

``CORPUS_APPS`` (comma-separated INSTALLED_APPS entries, set by the bench for
each release) says what the release installs beyond Django's contrib apps;
an entry whose module the release's virtualenv lacks is left out, so the old
and new releases of an app that gained an app (allauth's ``usersessions``)
share this file. The oracle points ``DATABASES`` at its scratch database.
"""

import importlib.util
import os

SECRET_KEY = "corpus-bench-only"
DEBUG = False
ALLOWED_HOSTS = ["localhost"]
USE_TZ = True
TIME_ZONE = "UTC"
DEFAULT_AUTO_FIELD = "django.db.models.AutoField"
ROOT_URLCONF = "bench.corpus_project.urls"
SITE_ID = 1
DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}}


def present(entry: str) -> bool:
    """Whether the release's virtualenv has the module of an INSTALLED_APPS entry."""
    module = entry.split(".apps.")[0] if ".apps." in entry else entry
    if module == "oscar.config.Shop":
        module = "oscar"
    try:
        return importlib.util.find_spec(module) is not None
    except ModuleNotFoundError:
        return False


CORPUS_APPS = [e for e in os.environ.get("CORPUS_APPS", "").split(",") if e and present(e)]
INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sites",
    *([] if "oscar.config.Shop" not in CORPUS_APPS else ["django.contrib.flatpages"]),
    *CORPUS_APPS,
]
MIDDLEWARE = [
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
]
if "allauth.account" in CORPUS_APPS:
    MIDDLEWARE.append("allauth.account.middleware.AccountMiddleware")
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
MEDIA_ROOT = "/tmp/corpus-media"
# What some apps read at import or in their system checks.
if "oscar.config.Shop" in CORPUS_APPS:
    from oscar.defaults import *  # noqa: F403

    HAYSTACK_CONNECTIONS = {"default": {"ENGINE": "haystack.backends.simple_backend.SimpleEngine"}}
WAGTAIL_SITE_NAME = "corpus"
WAGTAILADMIN_BASE_URL = "http://localhost"
CONSTANCE_BACKEND = "constance.backends.database.DatabaseBackend"
CONSTANCE_CONFIG = {"GREETING": ("hello", "a greeting")}
CELERY_BROKER_URL = "memory://"
ZERODOWNTIME = {"RELEASE": "corpus"}
