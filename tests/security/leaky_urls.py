"""config.urls plus one after-sales view that forgets its scope check (for the matrix's self-test)."""

from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import include, path

import aftersales.urls
from aftersales.models import Ticket
from config import urls


def ticket_leak(request, number: str):
    return HttpResponse(get_object_or_404(Ticket, number=number).summary)  # no scope check: the bug to catch


leaky = [*aftersales.urls.urlpatterns, path("tickets/<str:number>/leak/", ticket_leak, name="ticket_leak")]
urlpatterns = [p for p in urls.urlpatterns if str(p.pattern) != "aftersales/"] + [
    path("aftersales/", include((leaky, "aftersales"))),
]
