"""No URL: the corpus bench runs migrations and the ORM only."""

urlpatterns: list[object] = []
