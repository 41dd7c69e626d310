"""Sales pages: thin views that check reach, bind a form, call a selector or a service."""

from core.paginators import Page, paginate

PER_PAGE = 50


def list_page(queryset, request) -> Page:
    """A page of a sales list: 50 rows and no count at all (the lists show none)."""
    return paginate(queryset, request.GET.get("page"), per_page=PER_PAGE, count_cap=None)
