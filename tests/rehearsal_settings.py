"""The test settings, with testapp's migrations taken from a package named in the environment.

``ZDT_TESTAPP_MIGRATIONS=tests.rehearsals.known`` runs a real ``manage.py`` process
on that migration history (``DATABASE_URL`` names the database, as in tests.settings);
``ZDT_MAX_LOCK_SECONDS`` sets ``REHEARSE_MAX_LOCK_SECONDS``.
"""

import os

from tests.settings import *  # noqa: F403
from tests.settings import ZERODOWNTIME

MIGRATION_MODULES = {"testapp": os.environ.get("ZDT_TESTAPP_MIGRATIONS", "tests.rehearsals.known")}
if os.environ.get("ZDT_MAX_LOCK_SECONDS"):
    ZERODOWNTIME = {
        **ZERODOWNTIME,
        "REHEARSE_MAX_LOCK_SECONDS": float(os.environ["ZDT_MAX_LOCK_SECONDS"]),
    }
