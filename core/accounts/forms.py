"""The account forms: Django's, with the portal's rules (issue #13)."""

import unicodedata

from django.conf import settings
from django.contrib.auth import forms as auth_forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.utils.translation import ngettext

from . import throttle


def change_failures() -> throttle.Limit:
    return throttle.Limit("password-change", settings.PASSWORD_CHANGE_FAILURE_LIMIT, settings.PASSWORD_CHANGE_COOLOFF)


class PortalPasswordChangeForm(auth_forms.PasswordChangeForm):
    """Wrong current passwords are counted per user: past the limit the form refuses to check any
    for a while, so a hijacked session cannot try passwords one after another."""

    def clean_old_password(self) -> str:
        limit, subject = change_failures(), str(self.user.pk)
        if throttle.exhausted(limit, subject):
            minutes = max(1, limit.seconds // 60)
            raise ValidationError(
                ngettext(
                    "Too many wrong current passwords. Try again in %(minutes)d minute.",
                    "Too many wrong current passwords. Try again in %(minutes)d minutes.",
                    minutes,
                )
                % {"minutes": minutes},
                code="throttled",
            )
        try:
            old_password = super().clean_old_password()
        except ValidationError:
            throttle.hit(limit, subject)
            raise
        throttle.clear(limit, subject)
        return old_password


class PortalPasswordResetForm(auth_forms.PasswordResetForm):
    """Also serves active users without a usable password: those the staff feed created set their
    first password here (CONTRACT 3.2). Django skips them; inactive users stay skipped."""

    def get_users(self, email: str):
        users = get_user_model()._default_manager.filter(email__iexact=email, is_active=True)
        return (user for user in users if _folded(user.email) == _folded(email))


def _folded(email: str) -> str:
    return unicodedata.normalize("NFKC", email).casefold()
