"""Production-like settings for the example site.

DEBUG is off, ALLOWED_HOSTS is strict and SECURE_SSL_REDIRECT is on, so the
health endpoints are proven where they matter: probes send IPs or no Host
at all and speak plain HTTP.
"""

import os
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent
SECRET_KEY = os.environ.get("SECRET_KEY", "example-only-change-me")
DEBUG = os.environ.get("DJANGO_DEBUG") == "1"
ALLOWED_HOSTS = os.environ.get("ALLOWED_HOSTS", "www.example.com,localhost,127.0.0.1").split(",")

# Nginx terminates TLS and says so; plain-HTTP requests get redirected.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = os.environ.get("SECURE_SSL_REDIRECT", "1") == "1"

# DATABASE_URL (dj-database-url): postgres://, postgis://, mysql://, sqlite:///...
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or "sqlite:///" + str(BASE_DIR / "db.sqlite3")
    )
}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # Several Gunicorn workers write at once: wait for the lock instead of failing.
    DATABASES["default"]["OPTIONS"] = {"timeout": 20}

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django_zerodowntime",
    "blog",
]

MIDDLEWARE = [
    "django_zerodowntime.health.middleware.HealthMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "APP_DIRS": True,
        "OPTIONS": {"context_processors": ["django.contrib.auth.context_processors.auth"]},
    }
]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
USE_TZ = True

# The release /healthz reports: by default the checkout's git commit. A build
# that ships no .git directory writes the id into a RELEASE file instead; a
# graceful_reload re-reads it (the environment of a USR2 upgrade is the old one).
RELEASE_FILE = BASE_DIR / "RELEASE"

ZERODOWNTIME = {
    "GUNICORN_PIDFILE": os.environ.get("GUNICORN_PIDFILE", str(BASE_DIR / "gunicorn.pid")),
    "RELEASE": RELEASE_FILE.read_text().strip() if RELEASE_FILE.exists() else None,
}
