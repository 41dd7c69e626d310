"""Every page a role can GET, found from the URL configuration, with records to show."""

from .records import spec_for
from .urlwalk import endpoints


def pages_for(role, store) -> list[tuple[str, str]]:
    """(URL name, URL) for each page without arguments and each record page in the role's reach."""
    pages = []
    for endpoint in endpoints():
        if not endpoint.name or endpoint.is_admin or endpoint.is_public:
            continue
        if not endpoint.kwargs:
            pages.append((endpoint.name, endpoint.url()))
            continue
        spec = spec_for(endpoint)
        if spec is not None and role in spec.roles:
            pages.append((endpoint.name, endpoint.url(**spec.make(store))))
    return pages
