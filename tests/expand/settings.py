"""Settings for one release of the catalog app, run in a subprocess.

``ZDT_EXPAND_RELEASE_DIR`` is the directory holding that release's ``catalog``
package (models and migrations, copied and changed by the test);
``DATABASE_URL`` is the database all releases share.
"""

import os
import sys

import dj_database_url

sys.path.insert(0, os.environ["ZDT_EXPAND_RELEASE_DIR"])

SECRET_KEY = "expand-only"
USE_TZ = True
DEBUG = False
DATABASES = {
    "default": dj_database_url.parse(os.environ["DATABASE_URL"]),
    # A database whose vendor expand_contract writes no triggers for.
    "elsewhere": {"ENGINE": "django.db.backends.dummy"},
}
INSTALLED_APPS = ["django_zerodowntime", "catalog"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
ZERODOWNTIME = {
    "RELEASE": os.environ.get("ZDT_RELEASE_ID", "base"),
    "LOCK_TIMEOUT": 5.0,
    "HEARTBEAT_SECONDS": None,
}
ROOT_URLCONF = "tests.urls"
