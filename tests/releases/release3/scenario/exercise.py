"""What release3's code does with the database: only the fields it still uses."""

from scenario.models import Article, Author, Tag


def run() -> str:
    Author.objects.create(name="grace").delete()
    Tag.objects.create(name="misc")
    article = Article.objects.create(title="one")
    article.title = "two"
    article.save()
    Article.objects.filter(pk=article.pk).update(title="three")
    rows = list(Article.objects.order_by("pk"))
    return f"release3 ok: {len(rows)} articles, last={rows[-1].title!r}"
