from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.csrf import csrf_exempt

from blog.models import Post
from blog.release import RELEASE_TEXT


def index(request: HttpRequest) -> HttpResponse:
    posts = Post.objects.all()[:10]
    return render(request, "blog/index.html", {"posts": posts, "release": RELEASE_TEXT})


def detail(request: HttpRequest, pk: int) -> HttpResponse:
    post = get_object_or_404(Post, pk=pk)
    return render(request, "blog/detail.html", {"post": post, "release": RELEASE_TEXT})


def version(request: HttpRequest) -> HttpResponse:
    return HttpResponse(RELEASE_TEXT, content_type="text/plain")


def slow(request: HttpRequest) -> HttpResponse:
    """Sleeps ``ms`` milliseconds (at most 5 s): a long request in flight during a reload."""
    import time

    time.sleep(min(int(request.GET.get("ms", "500")), 5000) / 1000)
    return HttpResponse(RELEASE_TEXT, content_type="text/plain")


@csrf_exempt
def create(request: HttpRequest) -> HttpResponse:
    """POST title=... creates a post (load tests write through the ORM)."""
    if request.method != "POST":
        return HttpResponse(status=405)
    post = Post.objects.create(title=request.POST.get("title", "untitled"))
    return JsonResponse({"id": post.pk, "release": RELEASE_TEXT}, status=201)
