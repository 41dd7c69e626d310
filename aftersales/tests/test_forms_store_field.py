"""One store field: every form that takes a store code cleans it the same way, with one message."""

import pytest

from aftersales.forms import StoreSlotForm, TicketCreateForm
from sales import forms as sales_forms
from stores.models import Role
from stores.tests.factories import StoreFactory, make_user

pytestmark = pytest.mark.usefixtures("english")

FORMS = [
    sales_forms.TestDriveBookingForm,
    sales_forms.TestDriveFilterForm,
    sales_forms.OrderCreateForm,
    TicketCreateForm,
    StoreSlotForm,
]


@pytest.fixture
def regional_in_beijing(db):
    return make_user(Role.REGIONAL, provinces=["北京市"])


@pytest.mark.parametrize("form_class", FORMS, ids=lambda c: c.__name__)
def test_store_out_of_reach_is_refused_with_one_message(form_class, regional_in_beijing):
    StoreFactory(code="GZ-001", province="广东省")
    form = form_class(data={"store": " gz-001 "}, user=regional_in_beijing)
    assert not form.is_valid()
    assert form.errors["store"] == ["No store with code GZ-001 is in your reach."]


@pytest.mark.parametrize("form_class", FORMS, ids=lambda c: c.__name__)
def test_store_in_reach_is_cleaned_to_the_store_whatever_the_case(form_class, regional_in_beijing):
    store = StoreFactory(code="BJ-001", province="北京市")
    form = form_class(data={"store": " bj-001 "}, user=regional_in_beijing)
    form.is_valid()
    assert "store" not in form.errors
    assert form.cleaned_data["store"] == store
