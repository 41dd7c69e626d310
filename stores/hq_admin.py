"""The Django admin is for HQ only (CONTRACT 5): role `hq` or a superuser, with `is_staff`.

HQ users come from the staff feed without per-model permissions; stores.backends gives them every
permission in the admin but the superuser's own (issue #13): only a superuser changes a superuser,
the privilege flags, groups or permissions. HQ manages portal users through the roster and the
memberships. Who may use the admin is decided by stores.policy ("admin.use").
"""

from django.contrib.admin import AdminSite
from django.contrib.admin.apps import AdminConfig
from django.db.models import QuerySet
from django.shortcuts import redirect

# The user fields that grant rights beyond the portal's roles: a superuser's to set, on anyone.
SUPERUSER_ONLY_FIELDS = ("is_superuser", "is_staff", "groups", "user_permissions")
# The models whose rows grant rights: `auth.change_group`, `auth.view_permission`, ...
SUPERUSER_ONLY_MODELS = frozenset({"group", "permission"})


def is_hq_admin(user) -> bool:
    from .policy import can  # loaded with INSTALLED_APPS, before the models

    return bool(user.is_active and user.is_staff and can(user, "admin.use"))


def hq_may(user, perm: str) -> bool:
    """Whether HQ's admin rights include `perm` ("app_label.codename"): all but the superuser's own."""
    app_label, _, codename = perm.partition(".")
    model = codename.partition("_")[2]
    return is_hq_admin(user) and not (app_label == "auth" and model in SUPERUSER_ONLY_MODELS)


def users_manageable_by(actor, queryset: QuerySet, user_field: str = "") -> QuerySet:
    """The users (or the rows of users, through `user_field`) that `actor` may see and change in the
    admin: a superuser only by a superuser."""
    if actor.is_superuser:
        return queryset
    return queryset.filter(**{f"{user_field}__is_superuser" if user_field else "is_superuser": False})


class HQAdminSite(AdminSite):
    def has_permission(self, request) -> bool:
        return is_hq_admin(request.user)

    def password_change(self, request, extra_context=None):
        # One password-change form, the portal's: it limits wrong current passwords (core.accounts).
        return redirect("password_change")


class HQAdminConfig(AdminConfig):
    default_site = "stores.hq_admin.HQAdminSite"
