"""Which tickets a user may see: built on stores.access, the one place deciding visibility.

A ticket is seen through its store. Scheduled work no store could take (store empty) is seen by
the regional managers of its province and by HQ: it is their queue.
"""

from django.db.models import Q, QuerySet

from aftersales.models import Ticket
from stores.access import get_visible_or_404, scope_of


def ticket_q(user) -> Q | None:
    """The filter selecting the tickets `user` may see; None when nothing, Q() for everything."""
    scope = scope_of(user)
    if not scope.provinces:
        return scope.store_q("store")
    # The visible stores as a subquery (a hashed lookup per ticket) rather than a join on the
    # store's province: the queue then walks its due-order index instead of sorting a join.
    provinces = list(scope.provinces)
    return Q(store__in=scope.stores().values("id")) | Q(store__isnull=True, province__in=provinces)


def tickets_visible_to(user, queryset: QuerySet[Ticket] | None = None) -> QuerySet[Ticket]:
    queryset = Ticket.objects.all() if queryset is None else queryset
    condition = ticket_q(user)
    if condition is None:
        return queryset.none()
    return queryset.filter(condition) if condition else queryset


def get_ticket_or_404(user, number: str, queryset: QuerySet[Ticket] | None = None) -> Ticket:
    return get_visible_or_404(tickets_visible_to(user, queryset), number=number)
