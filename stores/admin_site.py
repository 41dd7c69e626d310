"""The Django admin is for HQ only (CONTRACT 5): superusers and users whose role is `hq`.

`stores.apps.PortalAdminConfig` replaces `django.contrib.admin` in INSTALLED_APPS so that
`admin.site`, which every app registers its models on, is this site. HQ users from the staff feed need neither the
`is_staff` flag nor model permissions: the role decides (see `stores.backends`).
"""

from django.contrib.admin import AdminSite
from django.contrib.admin.forms import AdminAuthenticationForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _


def may_use_admin(user) -> bool:
    from .access import is_hq  # the app registry is not ready when this module is imported

    return bool(user and user.is_active and (user.is_superuser or is_hq(user)))


class HQAuthenticationForm(AdminAuthenticationForm):
    error_messages = {
        **AdminAuthenticationForm.error_messages,
        "invalid_login": _(
            "Please enter the username and password of an HQ account. Both fields may be case-sensitive."
        ),
    }

    def confirm_login_allowed(self, user):
        if not may_use_admin(user):
            raise ValidationError(
                self.error_messages["invalid_login"], code="invalid_login", params={"username": "username"}
            )


class HQAdminSite(AdminSite):
    site_header = _("Goodcar HQ")
    site_title = _("Goodcar HQ")
    login_form = HQAuthenticationForm

    def has_permission(self, request) -> bool:
        return may_use_admin(request.user)
