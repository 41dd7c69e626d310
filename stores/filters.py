"""The store list's search and filters (django-filter), used by `selectors.store_list`."""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .models import Capability, Store
from .provinces import Province


class StoreFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("Search"))
    province = django_filters.ChoiceFilter(choices=Province.choices, label=_("Province"), empty_label=_("Any province"))
    city = django_filters.CharFilter(field_name="city", lookup_expr="startswith", label=_("City"))
    kind = django_filters.ChoiceFilter(choices=Store.Kind.choices, label=_("Kind"), empty_label=_("Any kind"))
    capability = django_filters.ChoiceFilter(
        choices=Capability.choices, method="with_capability", label=_("Capability")
    )
    status = django_filters.ChoiceFilter(choices=Store.Status.choices, label=_("Status"), empty_label=_("Any status"))

    class Meta:
        model = Store
        fields = ["q", "province", "city", "kind", "capability", "status"]

    def search(self, queryset, name, value):
        """Code prefix (codes are stored upper-cased), name anywhere, city prefix."""
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(code__startswith=value.upper()) | Q(name__icontains=value) | Q(city__startswith=value))

    def with_capability(self, queryset, name, value):
        return queryset.with_capability(value)
