import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from stores import views
from stores.models import Role, SlotLoad, Store
from stores.tests.factories import StoreFactory, UserFactory, make_user

LIST = reverse("stores:list")
NEAREST = reverse("stores:nearest")


def strip_variable_parts(content: bytes, code: str) -> str:
    text = re.sub(r'"X-CSRFToken": "[^"]*"', "", content.decode()).replace(code, "CODE")
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", text)


def listed_codes(response):
    return [s.code for s in response.context["stores"]]


# --- /stores/ ---------------------------------------------------------------------------------


def test_store_list_shows_staff_only_their_store(network, staff_client):
    response = staff_client.get(LIST)
    assert response.status_code == 200
    assert listed_codes(response) == ["GZ-0001"]
    assert "SH-0001" not in response.content.decode()


def test_store_list_shows_a_regional_manager_exactly_their_provinces(network, regional_client):
    assert listed_codes(regional_client.get(LIST)) == ["GZ-0001", "NN-0001", "SZ-0002"]


def test_store_list_searches_and_filters_through_the_query_string(network, hq_client):
    assert listed_codes(hq_client.get(LIST, {"q": "南宁"})) == ["NN-0001"]
    assert listed_codes(hq_client.get(LIST, {"province": "广东省", "kind": "partner"})) == ["SZ-0002"]
    assert listed_codes(hq_client.get(LIST, {"capability": "tyres"})) == ["SZ-0002"]
    assert listed_codes(hq_client.get(LIST, {"status": "suspended"})) == ["BJ-0001"]
    assert listed_codes(hq_client.get(LIST, {"city": "上海"})) == ["SH-0001"]


def test_store_list_shows_an_empty_state_when_nothing_matches(network, hq_client):
    response = hq_client.get(LIST, {"q": "no-such-store"})
    assert response.status_code == 200
    assert 'data-testid="empty-state"' in response.content.decode()


def test_store_list_is_paginated(db, hq_client):
    StoreFactory.create_batch(views.PAGE_SIZE + 5)
    first = hq_client.get(LIST)
    second = hq_client.get(LIST, {"page": 2})
    assert len(first.context["stores"]) == views.PAGE_SIZE
    assert len(second.context["stores"]) == 5
    assert set(listed_codes(first)).isdisjoint(listed_codes(second))
    assert "page=2" in first.content.decode()


def test_store_list_answers_htmx_with_the_results_fragment_only(network, hq_client):
    response = hq_client.get(LIST, {"kind": "partner"}, headers={"HX-Request": "true", "HX-Target": "store-results"})
    body = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in body
    assert 'id="store-results"' in body
    assert "SZ-0002" in body and "GZ-0001" not in body


def test_store_list_without_htmx_is_the_whole_page_with_a_plain_get_form(network, hq_client):
    body = hq_client.get(LIST, {"kind": "partner"}).content.decode()
    assert "<html" in body
    assert 'method="get"' in body and 'hx-get="/stores/"' in body


@pytest.mark.parametrize("client_fixture", ["hq_client", "regional_client", "staff_client"])
def test_store_list_query_count_does_not_grow_with_the_page(request, db, django_assert_max_num_queries, client_fixture):
    client = request.getfixturevalue(client_fixture)
    StoreFactory.create_batch(3)
    with django_assert_max_num_queries(100) as few:
        client.get(LIST)
    StoreFactory.create_batch(60)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(LIST, {"q": "", "page": 1})
    with django_assert_max_num_queries(8):
        client.get(LIST)


# --- /stores/<code>/ --------------------------------------------------------------------------


def test_staff_of_one_store_get_404_on_another_store_and_nothing_changes(network, staff_client):
    before = list(Store.objects.order_by("pk").values())
    response = staff_client.get(reverse("stores:detail", kwargs={"code": "SH-0001"}))
    assert response.status_code == 404
    assert list(Store.objects.order_by("pk").values()) == before


def test_out_of_reach_store_answers_exactly_like_a_missing_one(network, staff_client):
    hidden = staff_client.get(reverse("stores:detail", kwargs={"code": "SH-0001"}))
    missing = staff_client.get(reverse("stores:detail", kwargs={"code": "NO-SUCH"}))
    assert hidden.status_code == missing.status_code == 404
    # The same page as for a missing store (up to the per-request token and the path itself).
    assert strip_variable_parts(hidden.content, "SH-0001") == strip_variable_parts(missing.content, "NO-SUCH")
    assert network["sh"].name not in hidden.content.decode()


def test_regional_manager_sees_stores_of_their_provinces_only(network, regional_client):
    assert regional_client.get(reverse("stores:detail", kwargs={"code": "NN-0001"})).status_code == 200
    assert regional_client.get(reverse("stores:detail", kwargs={"code": "BJ-0001"})).status_code == 404


def test_store_detail_shows_hours_staff_and_todays_capacity(store, staff_user, staff_client, now):
    make_user(Role.MANAGER, store=store, username="boss")
    ten = timezone.make_aware(dt.datetime.combine(timezone.localdate(), dt.time(10)))
    SlotLoad.objects.create(store=store, starts_at=ten, resource=SlotLoad.Resource.BAY, capacity=4, booked=3)

    response = staff_client.get(reverse("stores:detail", kwargs={"code": "gz-0001"}))  # codes in any case

    assert response.status_code == 200
    body = response.content.decode()
    assert "08:00–20:00" in body
    assert [m.user.username for m in response.context["staff"]] == ["boss", "staff"]
    capacity = {timezone.localtime(h.starts_at).hour: h for h in response.context["capacity"]}
    assert sorted(capacity) == list(range(8, 20))
    assert (capacity[10].bays_booked, capacity[10].bays_free) == (3, 1)


def test_store_detail_shows_a_note_when_aftersales_provides_no_open_work_fragment(store, staff_client, monkeypatch):
    monkeypatch.setattr(views, "OPEN_WORK_URL_NAME", "aftersales:no_such_fragment")
    body = staff_client.get(store.get_absolute_url()).content.decode()
    assert 'data-testid="open-work"' in body
    assert "hx-get" not in body.split('data-testid="open-work"')[1]


def test_store_detail_loads_open_work_from_aftersales_when_it_exists(store, staff_client, monkeypatch):
    # Any URL name taking `code` stands in for `aftersales:store_open_work`.
    monkeypatch.setattr(views, "OPEN_WORK_URL_NAME", "stores:detail")
    body = staff_client.get(store.get_absolute_url()).content.decode()
    fragment = body.split('data-testid="open-work"')[1]
    assert 'hx-get="/stores/GZ-0001/"' in fragment
    assert 'href="/stores/GZ-0001/"' in fragment  # works without JavaScript too


def test_store_detail_query_count_does_not_grow_with_staff(store, staff_client, django_assert_max_num_queries):
    with django_assert_max_num_queries(100) as few:
        staff_client.get(store.get_absolute_url())
    for n in range(10):
        make_user(Role.STAFF, store=store, username=f"extra{n}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        staff_client.get(store.get_absolute_url())


# --- /stores/nearest/ -------------------------------------------------------------------------


def test_nearest_page_shows_an_empty_form_before_a_search(db, staff_client):
    response = staff_client.get(NEAREST)
    assert response.status_code == 200
    assert response.context["results"] is None


def test_nearest_json_lists_directory_entries_nearest_first(network, staff_client):
    response = staff_client.get(NEAREST, {"lat": "23.0", "lng": "113.0", "format": "json"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    data = response.json()
    assert [row["code"] for row in data] == ["GZ-0001", "SZ-0002", "NN-0001", "SH-0001"]  # BJ is suspended
    first = data[0]
    assert {"code", "name", "kind", "distance_km", "address", "phone", "city", "capabilities"} <= set(first)
    assert isinstance(first["distance_km"], float)
    assert first["capabilities"] == ["sales", "test_drive", "delivery", "maintenance", "repair", "battery"]
    distances = [row["distance_km"] for row in data]
    assert distances == sorted(distances)


def test_nearest_answers_json_when_asked_by_the_accept_header(network, staff_client):
    response = staff_client.get(NEAREST, {"lat": "23", "lng": "113"}, headers={"Accept": "application/json"})
    assert response["Content-Type"] == "application/json"
    assert response.json()[0]["code"] == "GZ-0001"


def test_nearest_html_lists_the_same_stores(network, staff_client):
    response = staff_client.get(NEAREST, {"lat": "23", "lng": "113"}, headers={"Accept": "text/html,*/*;q=0.8"})
    assert response["Content-Type"].startswith("text/html")
    assert [row["store"].code for row in response.context["results"]] == ["GZ-0001", "SZ-0002", "NN-0001", "SH-0001"]
    # Directory data for everyone; the store page only for those who may see it.
    assert [row["visible"] for row in response.context["results"]] == [True, False, False, False]


def test_nearest_filters_by_capability(network, staff_client):
    data = staff_client.get(NEAREST, {"lat": "23", "lng": "113", "capability": "tyres", "format": "json"}).json()
    assert [row["code"] for row in data] == ["SZ-0002"]


def test_nearest_limit_defaults_to_10_and_is_capped_at_50(db, staff_client):
    StoreFactory.create_batch(60)
    assert len(staff_client.get(NEAREST, {"lat": "23", "lng": "113", "format": "json"}).json()) == 10
    assert len(staff_client.get(NEAREST, {"lat": "23", "lng": "113", "limit": "3", "format": "json"}).json()) == 3
    assert len(staff_client.get(NEAREST, {"lat": "23", "lng": "113", "limit": "500", "format": "json"}).json()) == 50


@pytest.mark.parametrize("limit", ["0", "-1", "abc", "2.5"])
def test_nearest_refuses_a_limit_below_1_or_not_a_number(network, staff_client, limit):
    response = staff_client.get(NEAREST, {"lat": "23", "lng": "113", "limit": limit, "format": "json"})
    assert response.status_code == 400
    assert "limit" in response.json()["errors"]
    html = staff_client.get(NEAREST, {"lat": "23", "lng": "113", "limit": limit})
    assert html.status_code == 400
    assert html.context["form"].errors["limit"]


@pytest.mark.parametrize(
    "params",
    [
        {"lat": "abc", "lng": "113"},
        {"lat": "91", "lng": "113"},
        {"lat": "23", "lng": "181"},
        {"lat": "nan", "lng": "113"},
        {"lat": "23"},
        {},
    ],
)
def test_nearest_refuses_bad_coordinates_with_a_json_message(network, staff_client, params):
    response = staff_client.get(NEAREST, {**params, "format": "json"})
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert response.json()["error"]


def test_nearest_refuses_an_unknown_capability(network, staff_client):
    response = staff_client.get(NEAREST, {"lat": "23", "lng": "113", "capability": "flying"})
    assert response.status_code == 400
    assert response.context["form"].errors["capability"]
    json_response = staff_client.get(NEAREST, {"lat": "23", "lng": "113", "capability": "flying", "format": "json"})
    assert json_response.status_code == 400
    assert "capability" in json_response.json()["errors"]


def test_nearest_is_open_to_any_logged_in_user_and_to_no_one_else(network, client):
    client.force_login(UserFactory(username="no-role"))
    assert client.get(NEAREST, {"lat": "23", "lng": "113", "format": "json"}).status_code == 200
    client.logout()
    response = client.get(NEAREST, {"lat": "23", "lng": "113", "format": "json"})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_nearest_query_count_does_not_grow_with_the_limit(db, staff_client, django_assert_max_num_queries):
    StoreFactory.create_batch(60)
    with django_assert_max_num_queries(100) as small:
        staff_client.get(NEAREST, {"lat": "23.1291", "lng": "113.2644", "limit": "2"})
    with django_assert_max_num_queries(len(small.captured_queries)):
        staff_client.get(NEAREST, {"lat": "23.1291", "lng": "113.2644", "limit": "50"})


def test_nearest_errors_are_json_when_asked_by_the_accept_header(network, staff_client):
    response = staff_client.get(
        NEAREST, {"lat": "23", "lng": "113", "limit": "0"}, headers={"Accept": "application/json"}
    )
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert "limit" in response.json()["errors"]


def test_nearest_html_search_changes_nothing(network, staff_client):
    before = list(Store.objects.order_by("pk").values())
    staff_client.get(NEAREST, {"lat": "23", "lng": "113", "limit": "50"})
    assert list(Store.objects.order_by("pk").values()) == before
