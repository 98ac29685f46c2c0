import os

from django.core.wsgi import get_wsgi_application

from django_zerodowntime.health.wsgi import HealthWSGIWrapper

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

# Probes are answered here, before Django's handler, host checks and redirects.
application = HealthWSGIWrapper(get_wsgi_application())
