"""Settings of the topology project (see ``tests.topology``).

``DATABASE_URL`` is the default database; ``OTHER_DATABASE_URL``, when set,
adds the ``other`` alias that only the ``archive`` app lives on.
``ZDT_SQUASH`` picks the migrations of the ``squashed`` app.
"""

import os
import sys
from pathlib import Path

import dj_database_url

# The third-party app lives outside the project tree, like an installed package.
sys.path.insert(0, str(Path(__file__).resolve().parent / "vendor"))

SECRET_KEY = "topology-only"
USE_TZ = True
DEBUG = False
DATABASES = {"default": dj_database_url.parse(os.environ["DATABASE_URL"])}
if os.environ.get("OTHER_DATABASE_URL"):
    DATABASES["other"] = dj_database_url.parse(os.environ["OTHER_DATABASE_URL"])
DATABASE_ROUTERS = ["tests.topology.routers.ArchiveRouter"]
INSTALLED_APPS = [
    "django_zerodowntime",
    "tests.topology.shop",
    "tests.topology.archive",
    "tests.topology.squashed",
    "zdt_coupons",
]
MIGRATION_MODULES = {"squashed": "tests.topology.squashed." + os.environ.get("ZDT_SQUASH", "plain")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
ROOT_URLCONF = "tests.urls"
ZERODOWNTIME = {"RELEASE": f"stage{os.environ.get('ZDT_STAGE', '1')}", "LOCK_TIMEOUT": 2}
