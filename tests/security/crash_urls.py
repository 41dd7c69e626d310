"""config.urls plus a view that crashes (for the no-debug-page test)."""

from django.urls import path

from config import urls


def crash(request):
    secret = "secret-in-the-traceback"  # noqa: F841  (must never reach the page)
    raise RuntimeError("boom")


urlpatterns = [*urls.urlpatterns, path("crash/", crash, name="crash")]
