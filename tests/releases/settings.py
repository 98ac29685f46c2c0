"""Settings for one code release of the scenario app, run in a subprocess.

``ZDT_RELEASE`` names the release package (``release1``...) whose ``scenario``
app is loaded; ``DATABASE_URL`` is the database shared by all releases.
"""

import os
import sys
from pathlib import Path

import dj_database_url

HERE = Path(__file__).resolve().parent
RELEASE = os.environ.get("ZDT_RELEASE", "release1")
sys.path.insert(0, str(HERE / RELEASE))

SECRET_KEY = "scenario-only"
USE_TZ = True
DEBUG = False
DATABASES = {"default": dj_database_url.parse(os.environ["DATABASE_URL"])}
INSTALLED_APPS = ["django_zerodowntime", "scenario"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
ZERODOWNTIME = {
    "RELEASE": os.environ.get("ZDT_RELEASE_ID", RELEASE),
    "LOCK_TIMEOUT": float(os.environ.get("ZDT_LOCK_TIMEOUT", "2")),
}
ROOT_URLCONF = "tests.urls"
