"""The dashboard at `/`: one page, its content chosen by the user's role."""

from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from stores.access import role_of, stores_visible_to
from stores.models import Role

from . import selectors

TEMPLATES = {
    Role.STAFF: "dashboards/partials/store.html",
    Role.MANAGER: "dashboards/partials/store.html",
    Role.REGIONAL: "dashboards/partials/regional.html",
    Role.HQ: "dashboards/partials/hq.html",
}


def dashboard(request):
    """The logged-in user's dashboard. An htmx refresh gets the role's panel without the page."""
    user = request.user
    role = role_of(user)
    now = timezone.now()
    context = {"role": role, "now": now, "panel": TEMPLATES.get(role)}
    if role in (Role.STAFF, Role.MANAGER):
        store = stores_visible_to(user).first()
        if store is None:
            context["panel"] = None
        else:
            context["board"] = selectors.store_dashboard(user=user, store=store, now=now)
    elif role == Role.REGIONAL:
        context["board"] = selectors.regional_dashboard(user=user, now=now)
    elif role == Role.HQ:
        board = selectors.hq_dashboard(user=user)
        for run in board.feed_runs:
            run.admin_url = _admin_url(run)
        context["board"] = board
    if request.htmx and context["panel"]:
        return render(request, context["panel"], context)
    return render(request, "dashboards/dashboard.html", context)


def _admin_url(obj) -> str | None:
    try:
        return reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_change", args=[obj.pk])
    except NoReverseMatch:  # the model is not in the admin
        return None
