"""Every URL pattern of the portal, found by walking the URL configuration (nothing listed by hand).

The access matrix, the CSRF checks, the anonymous-user checks and the CSP page scan all iterate
`endpoints()`, so a view added later is covered the moment its URL exists.
"""

import re
from dataclasses import dataclass, field

from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.urls.resolvers import RegexPattern, RoutePattern


@dataclass(frozen=True)
class Endpoint:
    name: str  # namespaced: "aftersales:ticket_detail"; "" when the pattern has no name
    route: str  # the whole pattern, prefixes included
    kwargs: tuple[str, ...]  # the record-naming (or other) URL arguments, in order
    callback: object = field(compare=False, repr=False)

    @property
    def namespace(self) -> str:
        return self.name.rpartition(":")[0]

    @property
    def is_admin(self) -> bool:
        return self.namespace == "admin" or self.route.startswith("admin/")

    @property
    def is_public(self) -> bool:
        """Marked login_not_required (Django's LoginRequiredMiddleware lets anonymous users in)."""
        return getattr(self.callback, "login_required", True) is False

    def url(self, **kwargs) -> str:
        return reverse(self.name, kwargs=kwargs or None)


def _kwargs_of(pattern) -> tuple[str, ...]:
    if isinstance(pattern, RoutePattern):
        return tuple(pattern.converters)
    if isinstance(pattern, RegexPattern):
        return tuple(re.compile(pattern._regex).groupindex)
    return ()


def _walk(patterns, prefix: str, namespace: str, kwargs: tuple[str, ...]):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = namespace
            if pattern.namespace:
                inner = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
            yield from _walk(
                pattern.url_patterns, prefix + str(pattern.pattern), inner, kwargs + _kwargs_of(pattern.pattern)
            )
        elif isinstance(pattern, URLPattern):
            name = f"{namespace}:{pattern.name}" if namespace and pattern.name else (pattern.name or "")
            yield Endpoint(
                name=name,
                route=prefix + str(pattern.pattern),
                kwargs=kwargs + _kwargs_of(pattern.pattern),
                callback=pattern.callback,
            )


def endpoints(urlconf: str | None = None) -> list[Endpoint]:
    """Every pattern once (the first of several with the same route wins, as in resolving)."""
    seen: dict[str, Endpoint] = {}
    for endpoint in _walk(get_resolver(urlconf).url_patterns, "", "", ()):
        seen.setdefault(endpoint.route, endpoint)
    return list(seen.values())
