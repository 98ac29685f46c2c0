"""No URL: the bench only runs management commands."""

urlpatterns: list[object] = []
