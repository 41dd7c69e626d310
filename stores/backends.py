"""HQ users have every permission in the Django admin but the superuser's own (see stores.hq_admin)."""

from django.contrib.auth.backends import BaseBackend

from .hq_admin import hq_may, is_hq_admin


class HQPermissionBackend(BaseBackend):
    def has_perm(self, user_obj, perm, obj=None) -> bool:
        return hq_may(user_obj, perm)

    def has_module_perms(self, user_obj, app_label) -> bool:
        return is_hq_admin(user_obj)
