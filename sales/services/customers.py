from django.db import IntegrityError, connection, transaction

from stores.phones import normalise_mobile

from ..models import Customer, PhoneView, placeholder_name


def customer_get_or_create_by_phone(*, phone: str, name: str = "", city: str = "") -> tuple[Customer, bool]:
    """The customer with this mobile number (normalised), created when new.

    Raises ValidationError for a number that is not a mainland mobile. An existing customer keeps
    the name on record; a blank name or city is filled in from what was given.
    """
    number = normalise_mobile(phone)
    name, city = (name or "").strip()[:100], (city or "").strip()[:50]
    customer = Customer.objects.filter(phone=number).first()
    if customer is None:
        try:
            with transaction.atomic():
                customer = Customer(phone=number, name=name or placeholder_name(number), city=city)
                customer.full_clean()
                customer.save()
            return customer, True
        except IntegrityError:  # created by a concurrent request a moment ago
            customer = Customer.objects.get(phone=number)
    changed = []
    if name and customer.name in ("", customer.phone, placeholder_name(customer.phone)):
        customer.name = name
        changed.append("name")
    if city and not customer.city:
        customer.city = city
        changed.append("city")
    if changed:
        customer.save(update_fields=[*changed, "updated_at"])
    return customer, False


def phone_views_record(*, user, path: str, customers=(), customer_ids=()) -> int:
    """Log that `user` was shown the full mobile numbers of `customers` (or of the customers with
    `customer_ids`), one row per customer, in one insert for a page.

    On PostgreSQL the log's commit does not wait for the disk (synchronous_commit off for this
    transaction only): a page view should not pay an fsync, and a crash can lose at most the last
    fraction of a second of log rows, never corrupt anything.
    """
    unique = dict.fromkeys([c.pk for c in customers if c is not None] + [pk for pk in customer_ids if pk])
    if not unique:
        return 0
    rows = [PhoneView(user=user, customer_id=pk, path=path[:300]) for pk in unique]
    if connection.vendor != "postgresql":
        PhoneView.objects.bulk_create(rows)
        return len(rows)
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit TO OFF")
        PhoneView.objects.bulk_create(rows)
    return len(rows)
