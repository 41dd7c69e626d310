"""Who may see what: the ONE place that answers "which stores may this user see".

Every view, list, export, bulk action and admin queryset scopes its records through
`stores_visible_to` or `scope_by_store`; nothing else decides visibility. A record outside a
user's reach answers 404, exactly like a record that does not exist.
"""

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


def store_q(user, store_field: str = "store") -> Q | None:
    """A filter on `store_field` (a path to a Store) selecting what the user may see.

    Returns an empty Q for HQ (everything) and None when the user may see nothing.
    """
    role = role_of(user)
    if role == Role.HQ:
        return Q()
    membership = membership_of(user)
    if membership is None:
        return None
    if role in (Role.STAFF, Role.MANAGER):
        return Q(**{f"{store_field}_id": membership.store_id}) if membership.store_id else None
    if role == Role.REGIONAL:
        provinces = membership.provinces_list
        return Q(**{f"{store_field}__province__in": provinces}) if provinces else None
    return None


def scope_by_store(queryset: QuerySet, user, store_field: str = "store") -> QuerySet:
    """`queryset` narrowed to the records whose store (at `store_field`) the user may see."""
    condition = store_q(user, store_field)
    if condition is None:
        return queryset.none()
    return queryset.filter(condition) if condition else queryset


def stores_visible_to(user) -> QuerySet[Store]:
    """The stores this user may see: own store (staff, manager), provinces (regional), all (HQ)."""
    role = role_of(user)
    if role == Role.HQ:
        return Store.objects.all()
    membership = membership_of(user)
    if membership is None:
        return Store.objects.none()
    if role in (Role.STAFF, Role.MANAGER):
        return Store.objects.filter(pk=membership.store_id)
    if role == Role.REGIONAL:
        return Store.objects.filter(province__in=membership.provinces_list)
    return Store.objects.none()


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
    role = role_of(user)
    if role == Role.HQ:
        return None
    membership = membership_of(user)
    if role == Role.REGIONAL and membership is not None:
        return membership.provinces_list
    return []
