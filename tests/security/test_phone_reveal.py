"""One mechanism shows customers' mobile numbers (issue #13): templates show `shown_phone`, which
only sales.services.phones sets (logging every full number), and is masked otherwise."""

import re
from pathlib import Path

from django.conf import settings

from sales.models import Customer

DIRECT = re.compile(r"\b(customer|owner)\.phone\b|customer__phone")


def test_no_template_shows_a_customers_number_but_through_shown_phone():
    offenders = []
    for path in Path(settings.BASE_DIR, "templates").rglob("*.html"):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if DIRECT.search(line):
                offenders.append(f"{path.relative_to(settings.BASE_DIR)}:{number}: {line.strip()}")
    assert offenders == []


def test_a_number_not_revealed_shows_masked():
    customer = Customer(name="王", phone="13912340001")
    assert customer.shown_phone == "139****0001"
    customer.reveal_phone("13912340001")
    assert customer.shown_phone == "13912340001"
