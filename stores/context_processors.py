from .access import role_of


def navigation(request) -> dict:
    """The user's role, for the navigation bar (which links to show, never who may see what)."""
    user = getattr(request, "user", None)
    return {"user_role": role_of(user) if user is not None else None}
