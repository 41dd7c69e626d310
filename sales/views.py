"""Views: thin: check access, bind the form, call a selector or a service, render."""

from django.http import HttpResponse


def placeholder(request):  # replaced by the sales work
    return HttpResponse("")
