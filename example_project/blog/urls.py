from django.urls import path

from blog import views

urlpatterns = [
    path("", views.index, name="index"),
    path("posts/<int:pk>/", views.detail, name="detail"),
    path("posts/new/", views.create, name="create"),
    path("version/", views.version, name="version"),
    path("slow/", views.slow, name="slow"),
]
