from django import template

from core.names import person_name

register = template.Library()


@register.simple_tag(takes_context=True)
def query_replace(context, **kwargs) -> str:
    """The current query string with some parameters replaced (pagination, sorting)."""
    query = context["request"].GET.copy()
    for key, value in kwargs.items():
        query[key] = value
    return query.urlencode()


@register.filter
def person(user) -> str:
    """A user's display name (core.names.person_name): {{ ticket.assignee|person|default:"—" }}."""
    return person_name(user)
