"""Invitations (issue #13): a user the staff feed creates has no usable password (CONTRACT 3.2) and
gets an e-mail with a link to set a first one. The link is the password-reset link (Django's token:
valid for PASSWORD_RESET_TIMEOUT, spent once the password is set); after that, the reset form serves.
"""

import logging
from collections.abc import Iterable

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

logger = logging.getLogger(__name__)


def set_password_url(user) -> str:
    """The absolute link at which `user` sets a password (the reset-confirm page)."""
    uidb64 = urlsafe_base64_encode(force_bytes(user.pk))
    path = reverse(
        "password_reset_confirm", kwargs={"uidb64": uidb64, "token": default_token_generator.make_token(user)}
    )
    return settings.PORTAL_URL.rstrip("/") + path


def invitations_enqueue(*, user_ids: Iterable[int]) -> None:
    """Invite these new users once the caller's transaction commits (nothing when it rolls back)."""
    ids = sorted(user_ids)
    if ids:
        from core.tasks import send_invitations

        transaction.on_commit(lambda: send_invitations.delay(ids))


def invitations_send(*, user_ids: list[int]) -> int:
    """E-mails each of these users who can still use an invitation: active, with an address, never
    logged in and without a password (a task that runs late skips whoever has set one meanwhile)."""
    users = get_user_model().objects.filter(pk__in=user_ids, is_active=True, last_login__isnull=True).exclude(email="")
    with translation.override(settings.LANGUAGE_CODE):
        messages = [_invitation(user) for user in users.order_by("pk") if not user.has_usable_password()]
    if messages:
        with get_connection() as connection:
            connection.send_messages(messages)
    logger.info("invitations: sent=%d", len(messages))
    return len(messages)


def _invitation(user) -> EmailMessage:
    context = {"user": user, "url": set_password_url(user), "days": settings.PASSWORD_RESET_TIMEOUT // 86400}
    subject = render_to_string("registration/invitation_subject.txt", context).strip()
    body = render_to_string("registration/invitation_email.txt", context)
    return EmailMessage(subject=subject, body=body, to=[user.email])
