"""Random field values at every form and every search box: never a 500 or a traceback, a clear
rejection (the form again with its errors, or 400 with a message), and nothing half-written."""

import pytest
from django.test import Client
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from aftersales.models import Ticket
from sales.models import TestDrive
from stores.models import Role
from tests.security.matrix import changed_tables, fingerprint
from tests.security.urlwalk import endpoints

from .strategies import NASTY, any_text, cell

EXAMPLES = 80
PHASES = [Phase.explicit, Phase.reuse, Phase.generate]
HOSTILE = settings(
    max_examples=EXAMPLES,
    deadline=None,
    phases=PHASES,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
ROLES = (Role.STAFF, Role.MANAGER, Role.REGIONAL, Role.HQ)

# Every page without URL arguments, from the URL configuration (pages added later are included).
GET_PAGES = [e for e in endpoints() if e.name and not e.kwargs and not e.is_admin and e.name != "logout"]
QUERY_NAMES = [
    "q", "page", "status", "store", "date", "province", "city", "kind", "capability", "format", "sort",
    "priority", "sla", "assignee", "vin", "lat", "lng", "limit", "period", "model", "slot", "created_from",
    "created_to", "due_from", "due_to", "next",
]  # fmt: skip


def _read(response) -> bytes:
    """The whole body: a streamed export runs its generator only when read."""
    return b"".join(response.streaming_content) if response.streaming else response.content


@pytest.fixture
def users(staff_user, manager_user, regional_user, hq_user):
    return {Role.STAFF: staff_user, Role.MANAGER: manager_user, Role.REGIONAL: regional_user, Role.HQ: hq_user}


@pytest.fixture
def world(store, other_store, users):
    from aftersales.tests.factories import VehicleFactory, make_ticket
    from sales.tests.factories import CarModelFactory, OrderFactory, TestDriveFactory

    vehicle = VehicleFactory(store=store)
    make_ticket(store=store, vehicle=vehicle)
    OrderFactory(store=store)
    TestDriveFactory(store=store)
    return {"vehicle": vehicle, "model": CarModelFactory(code="GC-M7"), "users": users}


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def clear_rejection(response) -> bool:
    body = _read(response).decode(errors="replace")
    if "Traceback" in body:
        return False
    if response.status_code == 400:
        return bool(body.strip())  # a message, not an empty page
    return response.status_code in (200, 302, 404, 405)


@HOSTILE
@given(
    page=st.sampled_from(GET_PAGES),
    role=st.sampled_from(ROLES),
    params=st.dictionaries(st.sampled_from(QUERY_NAMES), cell, max_size=4),
    htmx=st.booleans(),
)
def test_any_query_on_any_page_never_crashes(world, page, role, params, htmx):
    client = _client(world["users"][role])
    before = fingerprint()
    response = client.get(page.url(), params, headers={"HX-Request": "true"} if htmx else {})
    assert response.status_code < 500
    assert clear_rejection(response), (page.name, params, response.status_code)
    assert not changed_tables(before, fingerprint())


@HOSTILE
@given(
    lat=st.one_of(cell, st.floats(allow_nan=True).map(str)),
    lng=st.one_of(cell, st.floats(allow_nan=True).map(str)),
    capability=st.one_of(cell, st.sampled_from(["sales", "battery", "TEST_DRIVE", ""])),
    limit=st.one_of(cell, st.integers(-100, 100).map(str)),
    as_json=st.booleans(),
)
def test_nearest_search_answers_results_or_400_with_a_message(world, lat, lng, capability, limit, as_json):
    client = _client(world["users"][Role.STAFF])
    params = {"lat": lat, "lng": lng, "capability": capability, "limit": limit}
    headers = {"Accept": "application/json"} if as_json else {}
    response = client.get("/stores/nearest/", params, headers=headers)
    assert response.status_code in (200, 400), response.status_code
    if response.status_code == 400:
        assert _read(response).strip()


def _ticket_form(draw_value, world, role):
    return {
        "vin": draw_value("vin", [world["vehicle"].vin, world["vehicle"].vin.lower()]),
        "owner_phone": draw_value("owner_phone", ["", world["vehicle"].owner.phone, "13700000000", "12345"]),
        "kind": draw_value("kind", ["repair", "maintenance", "WARRANTY"]),
        "priority": draw_value("priority", ["P1", "P3", "P5"]),
        "summary": draw_value("summary", ["刹车异响", "x" * 201]),
        "description": draw_value("description", ["", "详细描述"]),
        **(
            {"store": draw_value("store", ["GZ-0001", "SH-0001", "gz-0001"])}
            if role in (Role.REGIONAL, Role.HQ)
            else {}
        ),
    }


def _drawer(data):
    def draw_value(name, plausible):
        return data.draw(st.one_of(st.sampled_from(plausible), cell), label=name)

    return draw_value


@HOSTILE
@given(data=st.data(), role=st.sampled_from(ROLES))
def test_ticket_create_form_accepts_or_refuses_cleanly(world, data, role):
    client = _client(world["users"][role])
    form = _ticket_form(_drawer(data), world, role)
    tickets = Ticket.objects.count()
    before = fingerprint()
    response = client.post("/aftersales/tickets/new/", form)
    assert clear_rejection(response) and response.status_code in (200, 302, 400), response.status_code
    if response.status_code in (200, 400):  # refused: the form again (or 400 for NUL), nothing written
        assert response.status_code == 400 or response.context["form"].errors
        assert not changed_tables(before, fingerprint())
    else:  # accepted: exactly one ticket, at a store the user may see
        assert Ticket.objects.count() == tickets + 1
        assert client.get(response["Location"]).status_code == 200


@HOSTILE
@given(data=st.data(), role=st.sampled_from(ROLES))
def test_test_drive_booking_form_accepts_or_refuses_cleanly(world, data, role):
    from sales.tests.factories import local_slot

    draw_value = _drawer(data)
    slot = local_slot(days=2, hour=10)
    form = {
        "customer_name": draw_value("customer_name", ["张三"]),
        "customer_phone": draw_value("customer_phone", ["13912345678", "+86 139 1234 5678"]),
        "model": draw_value("model", ["GC-M7", "gc-m7"]),
        "slot": draw_value("slot", [f"{slot:%Y-%m-%d %H:%M}", f"{slot:%Y-%m-%d} 10:30", "2099-01-01 10:00"]),
    }
    if role in (Role.REGIONAL, Role.HQ):
        form["store"] = draw_value("store", ["GZ-0001", "SH-0001", ""])
        form["lat"] = draw_value("lat", ["23.1", "", "91"])
        form["lng"] = draw_value("lng", ["113.2", "", "200"])
    client = _client(world["users"][role])
    drives = TestDrive.objects.count()
    before = fingerprint()
    response = client.post("/sales/test-drives/new/", form)
    assert clear_rejection(response) and response.status_code in (200, 302, 400), response.status_code
    if response.status_code in (200, 400):
        assert response.status_code == 400 or response.context["form"].errors
        assert not changed_tables(before, fingerprint())
    else:
        assert TestDrive.objects.count() in (drives, drives + 1)  # the same booking again books nothing new
        assert client.get(response["Location"]).status_code == 200


@HOSTILE
@given(username=st.one_of(cell, st.just("staff")), password=st.one_of(cell, any_text), ip=st.integers(1, 250))
def test_login_form_refuses_cleanly(world, username, password, ip):
    client = Client()
    response = client.post(
        "/accounts/login/", {"username": username, "password": password}, REMOTE_ADDR=f"10.20.30.{ip}"
    )
    # The form again (200), the lockout page (429) after repeated failures, or 400 for a NUL
    # character: never a crash, never in.
    assert response.status_code in (200, 400, 429), response.status_code
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize("value", ["\x00", "a\x00b", "GZ-\x000001", "%00"])
@pytest.mark.parametrize(
    "url",
    [
        "/stores/?q={v}",
        "/stores/?city={v}",
        "/stores/nearest/?lat=23&lng=113&capability={v}",
        "/sales/vehicles/?vin={v}",
        "/sales/orders/?q={v}",
        "/sales/test-drives/day/?store={v}",
        "/sales/test-drives/new/?store={v}",
        "/aftersales/tickets/?q={v}",
        "/aftersales/tickets/?store={v}&format=csv",
        "/aftersales/unassigned/?province={v}",
    ],
)
def test_nul_bytes_in_search_boxes_are_refused_with_a_message_not_a_crash(world, url, value):
    """PostgreSQL refuses NUL in text: such input must never reach a query."""
    client = _client(world["users"][Role.HQ])
    response = client.get(url.format(v=value))
    assert response.status_code == 400, response.status_code
    assert _read(response).strip()  # a message (in the portal's language), not an empty page


@pytest.mark.parametrize("path", ["/stores/GZ-\x000001/", "/aftersales/tickets/AS\x00/", "/sales/orders/\x00/"])
def test_nul_bytes_in_record_addresses_are_refused(world, path):
    response = _client(world["users"][Role.HQ]).get(path)
    assert response.status_code == 400


def test_nul_bytes_in_posted_forms_are_refused_and_change_nothing(world):
    client = _client(world["users"][Role.STAFF])
    before = fingerprint()
    response = client.post(
        "/aftersales/tickets/new/",
        {"vin": world["vehicle"].vin, "kind": "repair", "priority": "P3", "summary": "刹车\x00异响"},
    )
    assert response.status_code == 400
    assert not changed_tables(before, fingerprint())


def test_nasty_values_are_a_decent_sample():
    assert "\x00" in NASTY and any(v.startswith("=") for v in NASTY)
