"""The deploy ledger in the Django admin: pages and the texts they show.

Loaded only from ``django_zerodowntime/admin.py``, which Django's admin
imports (autodiscover) only when ``django.contrib.admin`` is installed.
"""
