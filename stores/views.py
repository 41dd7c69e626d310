"""Views: thin: check access, bind the form, call a selector or a service, render."""

from django.http import HttpResponse

from .access import get_visible_or_404, stores_visible_to


def store_list(request):  # replaced by the store-network work
    return HttpResponse(f"{stores_visible_to(request.user).count()}")


def store_nearest(request):
    return HttpResponse("")


def store_detail(request, code: str):
    store = get_visible_or_404(stores_visible_to(request.user), code=code.upper())
    return HttpResponse(store.name)
