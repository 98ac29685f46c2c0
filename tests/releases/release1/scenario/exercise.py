"""What release 1's code does with the database: every field, read and written."""

from scenario.models import Article, Author, Legacy, Tag


def run() -> str:
    author = Author.objects.create(name="ada")
    tag = Tag.objects.create(name="news")
    article = Article.objects.create(title="one", subtitle="sub", summary="sum", author=author)
    article.tags.add(tag)
    article.title = "two"
    article.save()
    Article.objects.filter(pk=article.pk).update(title="three", subtitle="sub2")
    Legacy.objects.create(note="kept")
    rows = list(Article.objects.select_related("author").prefetch_related("tags"))
    assert [t.name for t in Article.objects.get(pk=article.pk).tags.all()] == ["news"]
    return f"release1 ok: {len(rows)} articles, subtitle={rows[-1].subtitle!r}"
