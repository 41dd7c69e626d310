"""Who may see what: the ONE place that answers "which stores may this user see".

`scope_of(user)` is the one role switch: it says once per request (cached on the user) which rows
the user may see, and every filter derives from it: `store_q`, `scope_by_store`,
`stores_visible_to`, `provinces_visible_to`, and the ticket, vehicle, order and test-drive scopes
built on them in the apps above. Every view, list, export, bulk action and admin queryset scopes
its records through these; nothing else decides visibility. A record outside a
user's reach answers 404, exactly like a record that does not exist.
"""

from dataclasses import dataclass

from django.contrib.auth.models import AnonymousUser
from django.db.models import Model, Q, QuerySet
from django.http import Http404

from .models import Membership, Role, Store


def membership_of(user) -> Membership | None:
    """The user's membership, cached on the user object for the request."""
    if user is None or isinstance(user, AnonymousUser) or not user.is_authenticated or not user.is_active:
        return None
    if not hasattr(user, "_membership_cache"):
        try:
            user._membership_cache = user.membership
        except Membership.DoesNotExist:
            user._membership_cache = None
    return user._membership_cache


def role_of(user) -> str | None:
    """The user's role; superusers act as HQ. None for users without a role (they see nothing)."""
    if user is not None and user.is_authenticated and user.is_active and user.is_superuser:
        return Role.HQ
    membership = membership_of(user)
    return membership.role if membership else None


def is_hq(user) -> bool:
    return role_of(user) == Role.HQ


@dataclass(frozen=True)
class Scope:
    """Which rows a user may see: everything, the rows of some stores, of some provinces, or none.

    The one role switch is `scope_of`; every row filter (stores, tickets, vehicles, orders, test
    drives, dashboards) derives from this value and asks nothing more about the role.
    """

    everything: bool = False
    store_ids: tuple[int, ...] = ()
    provinces: tuple[str, ...] = ()

    @property
    def is_empty(self) -> bool:
        return not (self.everything or self.store_ids or self.provinces)

    def store_q(self, store_field: str = "store") -> Q | None:
        """A filter on `store_field` (a path to a Store; "" for Store itself): Q() for everything,
        None for nothing."""
        if self.everything:
            return Q()
        own_id = f"{store_field}_id" if store_field else "pk"
        if len(self.store_ids) == 1:
            return Q(**{own_id: self.store_ids[0]})
        if self.store_ids:
            return Q(**{f"{own_id}__in": self.store_ids})
        if self.provinces:
            return Q(**{f"{store_field}__province__in" if store_field else "province__in": list(self.provinces)})
        return None

    def stores(self) -> QuerySet[Store]:
        condition = self.store_q("")
        return Store.objects.none() if condition is None else Store.objects.filter(condition)


EVERYTHING = Scope(everything=True)
NOTHING = Scope()


def scope_of(user) -> Scope:
    """The user's row scope, computed once and cached on the user object (like the membership)."""
    if user is None or isinstance(user, AnonymousUser) or not user.is_active:
        return NOTHING  # checked on every call: a user deactivated mid-request loses the cached scope
    if not hasattr(user, "_scope_cache"):
        user._scope_cache = _scope_for_role(user)
    return user._scope_cache


def _scope_for_role(user) -> Scope:
    role = role_of(user)
    if role == Role.HQ:
        return EVERYTHING
    membership = membership_of(user)
    if role in (Role.STAFF, Role.MANAGER) and membership.store_id:
        return Scope(store_ids=(membership.store_id,))
    if role == Role.REGIONAL and membership.provinces_list:
        return Scope(provinces=tuple(membership.provinces_list))
    return NOTHING


def store_q(user, store_field: str = "store") -> Q | None:
    """A filter on `store_field` (a path to a Store) selecting what the user may see.

    Returns an empty Q for HQ (everything) and None when the user may see nothing.
    """
    return scope_of(user).store_q(store_field)


def scope_by_store(queryset: QuerySet, user, store_field: str = "store") -> QuerySet:
    """`queryset` narrowed to the records whose store (at `store_field`) the user may see."""
    condition = store_q(user, store_field)
    if condition is None:
        return queryset.none()
    return queryset.filter(condition) if condition else queryset


def stores_visible_to(user) -> QuerySet[Store]:
    """The stores this user may see: own store (staff, manager), provinces (regional), all (HQ)."""
    return scope_of(user).stores()


def get_visible_or_404(queryset: QuerySet, **lookup) -> Model:
    """One record from an already-scoped queryset, or 404 whether it is hidden or missing."""
    try:
        return queryset.get(**lookup)
    except queryset.model.DoesNotExist as exc:
        raise Http404 from exc


def provinces_visible_to(user) -> list[str] | None:
    """The provinces whose figures and store-less work the user may see: None means all (HQ).

    For rollups kept per province (dashboards) and scheduled work no store took yet (the
    unassigned queue): regional managers see their provinces, staff and managers none.
    """
    scope = scope_of(user)
    return None if scope.everything else list(scope.provinces)
