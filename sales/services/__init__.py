"""Writes for sales: customers, orders and deliveries, test drives, vehicle corrections."""

from .customers import customer_get_or_create_by_phone, phone_views_record
from .orders import order_create, order_transition
from .phones import reveal_phones, shown_numbers, shows_full_phones
from .testdrives import BookingRefused, BookingResult, test_drive_book, test_drive_transition
from .vehicles import vehicle_correct_mileage

__all__ = [
    "BookingRefused",
    "BookingResult",
    "customer_get_or_create_by_phone",
    "order_create",
    "order_transition",
    "phone_views_record",
    "reveal_phones",
    "shown_numbers",
    "shows_full_phones",
    "test_drive_book",
    "test_drive_transition",
    "vehicle_correct_mileage",
]
