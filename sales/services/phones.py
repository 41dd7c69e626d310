"""Customers' mobile numbers on pages and exports: the one mechanism (CONTRACT 5, issue #13).

Whatever shows a customer's number goes through here: `reveal_phones` for customers on a page
(their `shown_phone` becomes the full or the masked number), `shown_numbers` for rows read as
plain values (exports). Each decides full or masked by the contract's rule and logs every full
number shown in sales.PhoneView, in one insert per call, so a page's queries do not grow with
its rows. A customer whose number was not revealed shows it masked (Customer.shown_phone).
"""

from collections.abc import Iterable

from core.redact import mask_mobile

from ..access import sees_full_phone_in_lists
from ..models import Customer
from .customers import phone_views_record


def shows_full_phones(user, *, listing: bool) -> bool:
    """A record's own page shows the full number to whoever may see the record; in lists
    (and list exports) staff below manager see it masked."""
    return not listing or sees_full_phone_in_lists(user)


def shown_numbers(*, user, path: str, listing: bool, numbers: list[tuple[int | None, str]]) -> list[str]:
    """The numbers of (customer id, number) pairs as the page may show them, full ones logged."""
    full = shows_full_phones(user, listing=listing)
    if full:
        phone_views_record(user=user, customer_ids=[pk for pk, number in numbers if number], path=path)
        return [number or "" for _pk, number in numbers]
    return [mask_mobile(number) if number else "" for _pk, number in numbers]


def reveal_phones(*, user, customers: Iterable[Customer | None], path: str, listing: bool) -> bool:
    """Set `shown_phone` on each customer of a page, logging the full ones; True when full."""
    shown = [c for c in customers if c is not None]
    numbers = shown_numbers(user=user, path=path, listing=listing, numbers=[(c.pk, c.phone) for c in shown])
    for customer, number in zip(shown, numbers, strict=True):
        customer.reveal_phone(number)
    return shows_full_phones(user, listing=listing)
