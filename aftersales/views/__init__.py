"""Views: thin: check access, bind the form, call a selector or a service, render or redirect."""

from django.http import HttpResponse


def placeholder(request):  # the unassigned queue: replaced by the dispatch work
    return HttpResponse("")
