from django.contrib.auth import SESSION_KEY, logout


class InactiveUserLogoutMiddleware:
    """A user deactivated (by the staff feed or an admin) is logged out on their next request.

    Django's ModelBackend already refuses to load an inactive session user; this also ends the
    session itself, so that the stale session is gone and login starts afresh.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is not None
            and not user.is_authenticated
            and request.session.get(SESSION_KEY)
            or user is not None
            and user.is_authenticated
            and not user.is_active
        ):
            logout(request)
        return self.get_response(request)


class RejectNulMiddleware:
    """A request whose address, query or form fields hold a NUL character is refused with 400.

    PostgreSQL cannot store or compare text containing NUL (psycopg raises DataError), so such a
    value reaching any query would be a 500. Nothing legitimate sends one; refuse it up front,
    with a message, before the session, the user or any view touches the database.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if self._has_nul(request):
            from django.http import HttpResponseBadRequest
            from django.utils.translation import gettext as _

            return HttpResponseBadRequest(
                _("The request contains a NUL character (\\0), which is not allowed in any field."),
                content_type="text/plain; charset=utf-8",
            )
        return self.get_response(request)

    @staticmethod
    def _has_nul(request) -> bool:
        if "\x00" in request.path_info or _any_nul(request.GET):
            return True
        if request.method == "POST" and request.content_type in (
            "application/x-www-form-urlencoded",
            "multipart/form-data",
        ):
            return _any_nul(request.POST)
        return False


def _any_nul(query) -> bool:
    return any("\x00" in key or any("\x00" in value for value in values) for key, values in query.lists())
