"""Pagination that stays fast deep into millions of rows.

No COUNT(*) over the whole result: the count is capped (a count over at most CAP+1 index
entries) and "Next" is known by fetching one row more than a page. A deep page skips rows on
the primary-key column only (an index-only walk of the sort index), then loads the page's rows
by key.
"""

import math
from dataclasses import dataclass, field

from django.db.models import QuerySet

PER_PAGE = 25
COUNT_CAP = 1_000
MAX_PAGE = 100_000


@dataclass
class CappedPaginator:
    count: int
    capped: bool
    per_page: int

    @property
    def num_pages(self) -> int | None:
        """The number of pages, or None when the count passed the cap (unknown, and not asked)."""
        return None if self.capped else max(1, math.ceil(self.count / self.per_page))


@dataclass
class CappedPage:
    number: int
    object_list: list
    has_next: bool
    paginator: CappedPaginator
    extra: dict = field(default_factory=dict)

    def __iter__(self):
        return iter(self.object_list)

    def __len__(self) -> int:
        return len(self.object_list)

    def has_previous(self) -> bool:
        return self.number > 1

    def has_other_pages(self) -> bool:
        return self.has_previous() or self.has_next

    def next_page_number(self) -> int:
        return self.number + 1

    def previous_page_number(self) -> int:
        return self.number - 1


def page_number(value) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        return 1
    return min(max(number, 1), MAX_PAGE)


def capped_count(queryset: QuerySet, cap: int = COUNT_CAP) -> tuple[int, bool]:
    # The page's own order is kept: without it the planner may take a sequential scan for the
    # LIMIT (expecting matches everywhere) where the sort index reaches them at once.
    counted = queryset.values("pk")[: cap + 1].count()
    return min(counted, cap), counted > cap


def paginate(
    queryset: QuerySet, number, *, rows: QuerySet, per_page: int = PER_PAGE, cap: int = COUNT_CAP
) -> CappedPage:
    """Page `number` of the ordered `queryset`; `rows` loads the page's records by primary key."""
    number = page_number(number)
    offset = (number - 1) * per_page
    keys = list(queryset.values_list("pk", flat=True)[offset : offset + per_page + 1])
    has_next = len(keys) > per_page
    keys = keys[:per_page]
    by_key = {obj.pk: obj for obj in rows.filter(pk__in=keys)} if keys else {}
    count, capped = capped_count(queryset, cap)
    return CappedPage(
        number=number,
        object_list=[by_key[k] for k in keys if k in by_key],
        has_next=has_next,
        paginator=CappedPaginator(count=count, capped=capped, per_page=per_page),
    )
