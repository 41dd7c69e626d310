"""Pagination that never counts: a page of N rows reads N+1 and knows whether another follows.

COUNT(*) over hundreds of thousands of scoped rows would cost more than the page itself.
"""

from dataclasses import dataclass

from django.db.models import QuerySet

PER_PAGE = 50


@dataclass
class _Paginator:
    num_pages: None = None  # unknown, on purpose


class Page:
    def __init__(self, rows: list, number: int, has_next: bool):
        self.object_list = rows
        self.number = number
        self._has_next = has_next
        self.paginator = _Paginator()

    def __iter__(self):
        return iter(self.object_list)

    def __len__(self) -> int:
        return len(self.object_list)

    def has_next(self) -> bool:
        return self._has_next

    def has_previous(self) -> bool:
        return self.number > 1

    def has_other_pages(self) -> bool:
        return self.has_next() or self.has_previous()

    def next_page_number(self) -> int:
        return self.number + 1

    def previous_page_number(self) -> int:
        return self.number - 1


def page_of(queryset: QuerySet, page: str | int | None, *, per_page: int = PER_PAGE) -> Page:
    try:
        number = max(1, min(int(page or 1), 10_000))
    except (TypeError, ValueError):
        number = 1
    offset = (number - 1) * per_page
    rows = list(queryset[offset : offset + per_page + 1])
    return Page(rows[:per_page], number, len(rows) > per_page)
