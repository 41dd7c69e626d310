"""Account actions with limits: password-reset requests (issue #13)."""

import logging

from django.conf import settings

from . import throttle

logger = logging.getLogger(__name__)


def reset_limits() -> tuple[throttle.Limit, throttle.Limit]:
    return (
        throttle.Limit("password-reset-account", settings.PASSWORD_RESET_LIMIT_PER_ACCOUNT, 3600),
        throttle.Limit("password-reset-address", settings.PASSWORD_RESET_LIMIT_PER_ADDRESS, 3600),
    )


def password_reset_allowed(*, email: str, address: str) -> bool:
    """Counts one reset request against the hourly limits per account (its e-mail address) and per
    client address; whether a mail may go out. The caller answers the same either way."""
    per_account, per_address = reset_limits()
    within = [throttle.hit(per_account, email.strip().casefold()), throttle.hit(per_address, address)]
    if not all(within):
        logger.warning("password reset refused: hourly limit reached (account within=%s, address within=%s)", *within)
    return all(within)
