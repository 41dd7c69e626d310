"""Code nothing used (issue #14) stays gone: each name was defined once and never called."""

import importlib

import pytest

REMOVED = [
    ("sales.forms", "AllocateForm"),  # the order page allocates from its list of candidates
    ("stores.access", "is_manager_or_above"),
    ("sales.vin", "validate_vin"),  # services and views call normalise_vin
    ("aftersales.selectors", "recall_tickets_of_vehicle"),
    ("core.paginators", "Page.start_index"),  # the pagination partial shows page numbers
    ("dashboards.models", "DailyFigures.demo_use_percent"),  # the dashboards show bay use only
    ("stores.dispatching", "TOO_FAR"),  # no dispatch code ever gave this reason
]


@pytest.mark.parametrize(("module", "name"), REMOVED)
def test_dead_code_stays_removed(module, name):
    obj = importlib.import_module(module)
    *owners, attr = name.split(".")
    for owner in owners:
        obj = getattr(obj, owner)
    assert not hasattr(obj, attr), f"{module}.{name} is back; nothing uses it"
