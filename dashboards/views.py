from django.shortcuts import render

from stores.access import role_of


def dashboard(request):
    """The logged-in user's dashboard at `/`, by role."""
    return render(request, "dashboards/dashboard.html", {"role": role_of(request.user)})
