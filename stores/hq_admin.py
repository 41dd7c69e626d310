"""The Django admin is for HQ only (CONTRACT 5): role `hq` or a superuser, with `is_staff`.

HQ users come from the staff feed without per-model permissions; stores.backends gives them every
permission in the admin, as a superuser has. Who counts as HQ is decided by stores.access.
"""

from django.contrib.admin import AdminSite
from django.contrib.admin.apps import AdminConfig


def is_hq_admin(user) -> bool:
    from .access import is_hq  # this module is loaded with INSTALLED_APPS, before the models

    return bool(user.is_active and user.is_staff and is_hq(user))


class HQAdminSite(AdminSite):
    def has_permission(self, request) -> bool:
        return is_hq_admin(request.user)


class HQAdminConfig(AdminConfig):
    default_site = "stores.hq_admin.HQAdminSite"
