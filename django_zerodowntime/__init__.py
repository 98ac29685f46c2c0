"""Deploy Django on Gunicorn without downtime."""

__version__ = "0.1.0.dev0"
