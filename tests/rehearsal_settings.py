"""The test settings, with testapp's migrations taken from a package named in the environment.

``ZDT_TESTAPP_MIGRATIONS=tests.rehearsals.known`` runs a real ``manage.py`` process
on that migration history (``DATABASE_URL`` names the database, as in tests.settings).
"""

import os

from tests.settings import *  # noqa: F403

MIGRATION_MODULES = {
    "testapp": os.environ.get("ZDT_TESTAPP_MIGRATIONS", "tests.scenarios.add_nullable")
}
