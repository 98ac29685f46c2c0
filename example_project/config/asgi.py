import os

from django.core.asgi import get_asgi_application

from django_zerodowntime.health.wsgi import HealthASGIWrapper

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

# Probes are answered here, before Django's handler, host checks and redirects.
application = HealthASGIWrapper(get_asgi_application())
