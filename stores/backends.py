"""HQ may do everything in the admin: their role, not per-model permissions, decides.

Listed in AUTHENTICATION_BACKENDS after ModelBackend; it authenticates no one itself.
"""

from django.contrib.auth.backends import BaseBackend

from .access import is_hq


class HQPermissionBackend(BaseBackend):
    def has_perm(self, user_obj, perm, obj=None) -> bool:
        return bool(user_obj.is_active and is_hq(user_obj))

    def has_module_perms(self, user_obj, app_label) -> bool:
        return bool(user_obj.is_active and is_hq(user_obj))
