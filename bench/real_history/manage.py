#!/usr/bin/env python
"""The bench project's manage.py (settings: ``bench_settings`` beside this file)."""

import os
import sys

if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench_settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)
