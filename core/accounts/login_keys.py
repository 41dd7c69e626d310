"""What django-axes records of a failed login: the username as typed, cut to what a username holds.

Django's login form passes any length on to authentication; axes stores the name in a 255-character
column, so on PostgreSQL a longer one failed the request (500) instead of the login. No real
username is longer than the user model allows, so the cut name still locks the account it names.
"""

from django.contrib.auth import get_user_model

MAX_LENGTH = get_user_model()._meta.get_field(get_user_model().USERNAME_FIELD).max_length or 150


def attempt_username(request, credentials: dict | None) -> str:
    return str((credentials or {}).get(get_user_model().USERNAME_FIELD) or "")[:MAX_LENGTH]
