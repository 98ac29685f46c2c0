"""The corpus: real upgrades of widely used reusable apps, between released versions.

Each old release is one that still runs on Django 5.2, picked to go across
years of the app's migrations; each new release is a recent one. Both sides
run Django 5.2 in virtualenvs of their own (``venvs.py``), so the oracle's
old-code worker really runs the old release.
"""

from __future__ import annotations

from dataclasses import dataclass

OSCAR_APPS = (
    "analytics", "checkout", "address", "shipping", "catalogue", "reviews", "communication",
    "partner", "basket", "payment", "offer", "order", "customer", "search", "voucher",
    "wishlists", "dashboard", "reports_dashboard", "users_dashboard", "orders_dashboard",
    "catalogue_dashboard", "offers_dashboard", "partners_dashboard", "pages_dashboard",
    "ranges_dashboard", "reviews_dashboard", "vouchers_dashboard", "communications_dashboard",
    "shipping_dashboard",
)  # fmt: skip
OSCAR_CONFIGS = {
    "reviews": "oscar.apps.catalogue.reviews.apps.CatalogueReviewsConfig",
    "analytics": "oscar.apps.analytics.apps.AnalyticsConfig",
}


def oscar_installed() -> tuple[str, ...]:
    configs = []
    for label in OSCAR_APPS:
        if label in OSCAR_CONFIGS:
            configs.append(OSCAR_CONFIGS[label])
        elif label.endswith("_dashboard"):
            name = label.removesuffix("_dashboard")
            configs.append(f"oscar.apps.dashboard.{name}.apps.{name.title()}DashboardConfig")
        else:
            configs.append(f"oscar.apps.{label}.apps.{label.title()}Config")
    return ("oscar.config.Shop", *configs, "widget_tweaks", "haystack", "treebeard",
            "django_tables2")  # fmt: skip


@dataclass(frozen=True)
class Upgrade:
    """One app from ``old`` to ``new``: what pip installs, INSTALLED_APPS, labels to exercise."""

    name: str
    package: str
    old: str
    new: str
    installed: tuple[str, ...]  # INSTALLED_APPS beyond Django's (absent ones are left out)
    labels: tuple[str, ...]  # the app labels the old code fills and exercises
    extra: tuple[str, ...] = ()  # further requirements of both sides
    mariadb: bool = True


WAGTAIL = (
    "wagtail.contrib.forms", "wagtail.contrib.redirects", "wagtail.contrib.search_promotions",
    "wagtail.contrib.simple_translation", "wagtail.locales", "wagtail.embeds", "wagtail.sites",
    "wagtail.users", "wagtail.snippets", "wagtail.documents", "wagtail.images",
    "wagtail.search", "wagtail.admin", "wagtail", "modelcluster", "taggit",
)  # fmt: skip
WAGTAIL_LABELS = (
    "wagtailforms", "wagtailredirects", "wagtailsearchpromotions", "simple_translation",
    "wagtaillocales", "wagtailembeds", "wagtailusers", "wagtaildocs", "wagtailimages",
    "wagtailsearch", "wagtailadmin", "wagtailcore", "taggit",
)  # fmt: skip
ALLAUTH = (
    "allauth", "allauth.account", "allauth.socialaccount", "allauth.mfa",
    "allauth.usersessions", "allauth.idp.oidc",
)  # fmt: skip
OTP = (
    "django_otp", "django_otp.plugins.otp_totp", "django_otp.plugins.otp_hotp",
    "django_otp.plugins.otp_static", "django_otp.plugins.otp_email",
)  # fmt: skip

UPGRADES: tuple[Upgrade, ...] = (
    Upgrade("oscar", "django-oscar", "4.0", "4.2.1", oscar_installed(), OSCAR_APPS),
    Upgrade("wagtail", "wagtail", "7.0.10", "8.0.1", WAGTAIL, WAGTAIL_LABELS),
    Upgrade(
        "allauth",
        "django-allauth",
        "0.61.1",
        "65.22.1",
        ALLAUTH,
        ("account", "socialaccount", "mfa", "usersessions", "idp_oidc"),
    ),
    Upgrade("guardian", "django-guardian", "3.0.0", "3.5.2", ("guardian",), ("guardian",)),
    Upgrade(
        "authtoken",
        "djangorestframework",
        "3.12.4",
        "3.16.1",
        ("rest_framework", "rest_framework.authtoken"),
        ("authtoken",),
    ),
    Upgrade(
        "celery-beat",
        "django-celery-beat",
        "2.2.1",
        "2.9.0",
        ("django_celery_beat",),
        ("django_celery_beat",),
    ),
    Upgrade(
        "celery-results",
        "django-celery-results",
        "2.2.0",
        "2.6.0",
        ("django_celery_results",),
        ("django_celery_results",),
    ),
    Upgrade("axes", "django-axes", "5.40.0", "8.3.1", ("axes",), ("axes",)),
    Upgrade(
        "otp",
        "django-otp",
        "1.1.6",
        "1.7.5",
        OTP,
        ("otp_totp", "otp_hotp", "otp_static", "otp_email"),
    ),
    Upgrade(
        "post-office",
        "django-post-office",
        "3.6.0",
        "3.12.0",
        ("post_office",),
        ("post_office",),
    ),
    Upgrade("auditlog", "django-auditlog", "2.2.2", "3.3.0", ("auditlog",), ("auditlog",)),
    Upgrade(
        "oauth-toolkit",
        "django-oauth-toolkit",
        "2.3.0",
        "3.1.0",
        ("oauth2_provider",),
        ("oauth2_provider",),
    ),
)
