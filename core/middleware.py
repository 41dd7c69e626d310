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
