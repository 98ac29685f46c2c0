"""Gunicorn settings for the example site (``gunicorn -c deploy/gunicorn.conf.py``)."""

import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", "2"))
worker_class = os.environ.get("GUNICORN_WORKER_CLASS", "sync")
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
pidfile = os.environ.get("GUNICORN_PIDFILE", "gunicorn.pid")
preload_app = os.environ.get("GUNICORN_PRELOAD", "0") == "1"
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "0"))
max_requests_jitter = int(os.environ.get("GUNICORN_MAX_REQUESTS_JITTER", "0"))
# Long enough for the longest request to finish when a generation retires.
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "30"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
wsgi_app = "config.wsgi:application"
proc_name = os.environ.get("GUNICORN_PROC_NAME", "example")
# Gunicorn 25.1+ opens a control socket at one path per user, which blue and
# green instances on one host would share (and a USR2 upgrade deletes). The
# deploy commands work through the pidfile and signals, so switch it off.
control_socket_disable = True
