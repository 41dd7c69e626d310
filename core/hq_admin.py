"""The Django admin is for HQ only (CONTRACT 5): role `hq` or a superuser, with `is_staff`.

HQ users come from the staff feed without per-model permissions; core.backends gives them every
permission in the admin, as a superuser has. Who may use the admin is decided by stores.policy
("admin.use").
"""

from django.contrib.admin import AdminSite
from django.contrib.admin.apps import AdminConfig


def is_hq_admin(user) -> bool:
    from stores.policy import can  # roles belong to the store network

    return bool(user.is_active and user.is_staff and can(user, "admin.use"))


class HQAdminSite(AdminSite):
    def has_permission(self, request) -> bool:
        return is_hq_admin(request.user)


class HQAdminConfig(AdminConfig):
    default_site = "core.hq_admin.HQAdminSite"
