"""Which tickets a user may see: built on stores.access, the one place deciding visibility.

A ticket is seen through its store. Scheduled work no store could take (store empty) is seen by
the regional managers of its province and by HQ: it is their queue.
"""

from django.db.models import Q, QuerySet

from aftersales.models import Ticket
from stores.access import get_visible_or_404, membership_of, role_of, store_q, stores_visible_to
from stores.models import Role


def ticket_q(user) -> Q | None:
    """The filter selecting the tickets `user` may see; None when nothing, Q() for everything."""
    condition = store_q(user, "store")
    if condition is None or role_of(user) != Role.REGIONAL:
        return condition
    # The visible stores as a subquery (a hashed lookup per ticket) rather than a join on the
    # store's province: the queue then walks its due-order index instead of sorting a join.
    provinces = membership_of(user).provinces_list
    return Q(store__in=stores_visible_to(user).values("id")) | Q(store__isnull=True, province__in=provinces)


def tickets_visible_to(user, queryset: QuerySet[Ticket] | None = None) -> QuerySet[Ticket]:
    queryset = Ticket.objects.all() if queryset is None else queryset
    condition = ticket_q(user)
    if condition is None:
        return queryset.none()
    return queryset.filter(condition) if condition else queryset


def get_ticket_or_404(user, number: str, queryset: QuerySet[Ticket] | None = None) -> Ticket:
    return get_visible_or_404(tickets_visible_to(user, queryset), number=number)
